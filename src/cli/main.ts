#!/usr/bin/env node
import { Command } from 'commander';
import { runStart } from './start.js';

const program = new Command();
program.name('outdial').description('SIP/RTP outbound dialer daemon with answering machine detection');

program
  .command('start')
  .description('run the daemon (defaults: embedded SIP edge, direct media, memory store)')
  .option('--config <file>', 'YAML config file')
  .action(async (opts: { config?: string }) => {
    process.exitCode = await runStart(opts.config);
  });

await program.parseAsync(process.argv);
