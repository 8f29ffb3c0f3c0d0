// What outdial tells a bot about its call: AudioCodes Bot API shaped events (docs/dialects/audiocodes.md,
// "Bot events"), posted to the bot's eventsUrl or sent in a SIP INFO. Builders live in calls/bot-events.ts.

export interface BotEvent {
  type: 'event';
  name: 'dialoutInitiated' | 'start' | 'machineDetection';
  value?: string;
  parameters?: Record<string, unknown>;
  conversationId: string;
}
