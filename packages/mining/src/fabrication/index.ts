// Detectors of fabricated or tampered metering data (issue 20).
export * from './types.ts';
export { detectFabrication, type FabricationOptions } from './detect-fabrication.ts';
export { detectFlatRegister, FLAT_REGISTER_DEFAULTS, type FlatRegisterOptions } from './flat-register.ts';
export { detectChildrenExceedParent, CHILDREN_EXCEED_PARENT_DEFAULTS, type ChildrenExceedParentOptions } from './children-exceed-parent.ts';
export { detectTooRegular, TOO_REGULAR_DEFAULTS, type TooRegularOptions } from './too-regular.ts';
export { detectCopiedDay, COPIED_DAY_DEFAULTS, type CopiedDayOptions } from './copied-day.ts';
export { detectJitterVanished, JITTER_VANISHED_DEFAULTS, type JitterVanishedOptions } from './jitter-vanished.ts';
export { detectShiftAfterEvent, SHIFT_AFTER_EVENT_DEFAULTS, type ShiftAfterEventOptions } from './shift-after-event.ts';
