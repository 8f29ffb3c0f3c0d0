import type { AccountConfig, BotConfig, Config } from '../config/index.js';
import type { AudiocodesDialoutBody, KoreDialoutBody } from './body-schemas.js';
import { resolveCaller } from './caller.js';
import { checkCallerId } from './caller-id.js';
import { checkMetadata } from './metadata.js';
import { checkNotifyHeaders } from './notify-headers.js';
import { amdDefaults, amdSettings, answerTimeoutSec, voicemailEndTimeoutSec } from './defaults.js';
import { DialoutInvalid } from './errors.js';
import type { DialoutRequest } from './request.js';
import { routeTarget, tlsPathExists } from './target.js';
import { inviteHeadersFor } from '../trunks/index.js';

/**
 * Refuses a dialout whose values would break a trunk's header templates (a caller with a line break in a
 * P-Asserted-Identity), before it is accepted rather than when its INVITE is built.
 */
function checkTrunkHeaders(account: AccountConfig, call: { caller: string; target: string; conversationId: string }): void {
  for (const trunk of account.trunks) {
    try {
      inviteHeadersFor(trunk, call);
    } catch (err) {
      throw new DialoutInvalid('caller', `trunk "${trunk.name}": ${(err as Error).message}`);
    }
  }
}

/** Who asks for the call and under which ids; the API fills it in. */
export interface DialoutContext {
  config: Config;
  bot: BotConfig;
  clientId: string;
  conversationId: string;
}

export function findBot(config: Config, name: string): BotConfig | undefined {
  return config.bots.find((b) => b.name === name);
}

function accountOf(config: Config, bot: BotConfig): AccountConfig {
  const account = config.accounts.find((a) => a.name === bot.account);
  // The config schema guarantees the account exists; this guards hand-built configs.
  if (!account) throw new DialoutInvalid('bot', `bot "${bot.name}" belongs to unknown account "${bot.account}"`);
  return account;
}

export function normalizeAudiocodes(body: AudiocodesDialoutBody, ctx: DialoutContext): DialoutRequest {
  checkMetadata(body.metadata);
  const account = accountOf(ctx.config, ctx.bot);
  const route = routeTarget(body.target, account, undefined, { tls: tlsPathExists(ctx.config) });
  const caller = resolveCaller(ctx.bot, body.caller);
  // A trunk's header template names the header the caller would break; the grammar check covers the rest.
  checkTrunkHeaders(account, { caller, target: body.target, conversationId: ctx.conversationId });
  checkCallerId(body);
  return {
    dialect: 'audiocodes',
    conversationId: ctx.conversationId,
    clientId: ctx.clientId,
    bot: ctx.bot,
    account,
    ...(route.trunk && { trunk: route.trunk }),
    target: body.target,
    requestUri: route.requestUri,
    caller,
    ...(body.callerHost !== undefined && { callerHost: body.callerHost }),
    ...(body.callerDisplayName !== undefined && { callerDisplayName: body.callerDisplayName }),
    ...(body.notifyUrl !== undefined && { notifyUrl: body.notifyUrl }),
    ...(body.metadata !== undefined && { metadata: body.metadata }),
    answerTimeoutMs: (body.answerTimeoutSec ?? answerTimeoutSec.default) * 1000,
    machineDetection: body.machineDetection ?? 'disabled',
    amd: { ...amdDefaults },
    voicemailEndTimeoutMs: (body.voicemailEndTimeoutSec ?? voicemailEndTimeoutSec.default) * 1000,
    ...(body.sipHeaders !== undefined && { sipHeaders: body.sipHeaders }),
  };
}

/** Kore ids for the 200 response: sid names the session, callId becomes the SIP Call-ID. */
export interface KoreIds {
  sid: string;
  callId: string;
}

export function normalizeKore(body: KoreDialoutBody, ctx: DialoutContext, ids: KoreIds): DialoutRequest {
  if (body.notifyUrl !== undefined && body.notifyurl !== undefined && body.notifyUrl !== body.notifyurl) {
    throw new DialoutInvalid('notifyUrl', 'notifyUrl and notifyurl are both given and differ; give one');
  }
  const machineDetection = body.machineDetection ?? body.machinedetection;
  if (body.machineDetection !== undefined && body.machinedetection !== undefined && body.machineDetection !== body.machinedetection) {
    throw new DialoutInvalid('machineDetection', 'machineDetection and machinedetection are both given and differ; give one');
  }
  checkMetadata(body.metadata);
  checkNotifyHeaders(body.notifyHeaders);
  const account = accountOf(ctx.config, ctx.bot);
  const route = routeTarget(body.target, account, body.trunk, { tls: tlsPathExists(ctx.config) });
  const caller = resolveCaller(ctx.bot, body.caller);
  checkTrunkHeaders(account, { caller, target: body.target, conversationId: ctx.conversationId });
  checkCallerId(body);
  const notifyUrl = body.notifyUrl ?? body.notifyurl;
  const timers = body.timers ?? {};
  return {
    dialect: 'kore',
    conversationId: ctx.conversationId,
    sid: ids.sid,
    callId: ids.callId,
    clientId: ctx.clientId,
    bot: ctx.bot,
    account,
    ...(route.trunk && { trunk: route.trunk }),
    ...(body.trunk !== undefined && { requestedTrunk: body.trunk }),
    target: body.target,
    requestUri: route.requestUri,
    caller,
    ...(notifyUrl !== undefined && { notifyUrl }),
    ...(body.notifyHeaders !== undefined && { notifyHeaders: body.notifyHeaders }),
    ...(body.metadata !== undefined && { metadata: body.metadata }),
    answerTimeoutMs: body.timeoutInMs ?? answerTimeoutSec.default * 1000,
    machineDetection: machineDetection ?? 'disabled',
    amd: amdSettings(body.thresholdWordCount, timers),
    voicemailEndTimeoutMs: voicemailEndTimeoutSec.default * 1000,
    ...(body.amdEventsSubscription !== undefined && { amdEventsSubscription: body.amdEventsSubscription }),
    ...(body.sipHeaders !== undefined && { sipHeaders: body.sipHeaders }),
  };
}
