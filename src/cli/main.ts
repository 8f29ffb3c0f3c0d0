#!/usr/bin/env node
import { Command } from 'commander';
import { runAmd, type AmdCliOptions } from './amd.js';
import { runConfigCheck } from './config-check.js';
import { runDemo } from './demo.js';
import { runStart } from './start.js';

const program = new Command();
program.name('outdial').description('SIP/RTP outbound dialer daemon with answering machine detection');

program
  .command('start')
  .description('run the daemon (defaults: embedded SIP edge, direct media, memory store)')
  .option('--config <file>', 'YAML config file')
  .action(async (opts: { config?: string }) => {
    process.exitCode = await runStart(opts.config);
    // Nothing may keep a daemon that failed alive (drachtio-srf's reconnect timers, for one).
    if (process.exitCode !== 0) process.exit();
  });

program
  .command('amd')
  .description('run answering machine detection on 8/16 kHz mono 16-bit PCM WAV files, to their end')
  .argument('<files...>', 'WAV files')
  .option('--json', 'one JSON object per event and line')
  .option('--threshold-word-count <n>', 'spoken words in a greeting that make it a machine (9)')
  .option('--no-speech-timeout-ms <n>', 'no speech within this time: amd_no_speech_detected (5000)')
  .option('--decision-timeout-ms <n>', 'no decision within this time: amd_decision_timeout (15000)')
  .option('--tone-timeout-ms <n>', 'listen for beeps until this offset (20000)')
  .option('--greeting-completion-timeout-ms <n>', 'silence that ends a machine greeting (2000)')
  .option('--speech-end-threshold-ms <n>', 'silence after a short answer that means a person waiting (700)')
  .option('--plot <out.svg>', "draw the file's level, speech, tones and every event to an SVG file (one file)")
  .action((files: string[], opts: AmdCliOptions & { speechTimeoutMs?: string | boolean }) => {
    // commander reads a leading "--no-" as negation and files the value under speechTimeoutMs
    const { speechTimeoutMs, ...rest } = opts;
    process.exitCode = runAmd(files, typeof speechTimeoutMs === 'string' ? { ...rest, noSpeechTimeoutMs: speechTimeoutMs } : rest);
  });

program
  .command('config')
  .description('work with a config file')
  .command('check')
  .description('validate a config file; print the effective configuration (secrets masked), its accounts, trunks, bots and clients, and warnings')
  .argument('<file>', 'YAML config file')
  .action((file: string) => {
    process.exitCode = runConfigCheck(file);
  });

program
  .command('demo')
  .description('place four calls (human, voicemail, fax, busy) through a local daemon, SIPp callees and a SIPp bot; print their timelines')
  .action(async () => {
    process.exitCode = await runDemo();
  });

await program.parseAsync(process.argv);
