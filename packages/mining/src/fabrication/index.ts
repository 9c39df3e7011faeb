// Detectors of fabricated or tampered metering data (issue 20).
export * from './types.ts';
export { detectFabrication, type FabricationOptions } from './detect-fabrication.ts';
export { detectFlatRegister } from './flat-register.ts';
export { detectChildrenExceedParent } from './children-exceed-parent.ts';
export { detectTooRegular } from './too-regular.ts';
export { detectCopiedDay } from './copied-day.ts';
export { detectJitterVanished } from './jitter-vanished.ts';
export { detectShiftAfterEvent } from './shift-after-event.ts';
