// media.mode freeswitch for calls a dialer sends in (docs/inbound.md): every scenario of
// test/e2e/inbound-amd.test.ts with the caller's leg anchored at a real FreeSWITCH (FREESWITCH_BIN) through
// drachtio-fsmrf and a real drachtio-server. The 200 OK carries FreeSWITCH's SDP answer, AMD hears the caller
// through the eavesdropping endpoint, a person is bridged to the bot through FreeSWITCH, a machine is hung up in
// disconnect mode, and the actionHook POSTs and INFOs are those of direct mode.
process.env.OUTDIAL_TEST_MEDIA = 'freeswitch';
await import('../e2e/inbound-amd.test.js');
