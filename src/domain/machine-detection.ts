/**
 * What a call does with AMD (docs/dialects/audiocodes.md, docs/dialects/kore.md): `disconnect` hangs up on
 * a machine and bridges a person, `detect` bridges both and tells the bot, `disabled` bridges at answer.
 */
export type MachineDetection = 'disconnect' | 'detect' | 'disabled';
