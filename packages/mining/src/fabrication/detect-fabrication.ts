import { detectChildrenExceedParent, type ChildrenExceedParentOptions } from './children-exceed-parent.ts';
import { detectCopiedDay, type CopiedDayOptions } from './copied-day.ts';
import { detectFlatRegister, type FlatRegisterOptions } from './flat-register.ts';
import { detectJitterVanished, type JitterVanishedOptions } from './jitter-vanished.ts';
import { detectShiftAfterEvent, type ShiftAfterEventOptions } from './shift-after-event.ts';
import { detectTooRegular, type TooRegularOptions } from './too-regular.ts';
import type { FabricationFinding, FabricationInputs } from './types.ts';

/** Each detector's thresholds, any of them overridden; a detector can be switched off with `false`. */
export interface FabricationOptions {
  flatRegister?: Partial<FlatRegisterOptions> | false;
  childrenExceedParent?: Partial<ChildrenExceedParentOptions> | false;
  tooRegular?: Partial<TooRegularOptions> | false;
  copiedDay?: Partial<CopiedDayOptions> | false;
  jitterVanished?: Partial<JitterVanishedOptions> | false;
  shiftAfterEvent?: Partial<ShiftAfterEventOptions> | false;
}

/** Every detector over one month's inputs: the findings ordered by point, then detector. */
export function detectFabrication(inputs: FabricationInputs, options: FabricationOptions = {}): FabricationFinding[] {
  const run = <O>(option: Partial<O> | false | undefined, detect: (i: FabricationInputs, o: Partial<O>) => FabricationFinding[]) =>
    option === false ? [] : detect(inputs, option ?? {});
  const findings = [
    ...run(options.flatRegister, detectFlatRegister),
    ...run(options.childrenExceedParent, detectChildrenExceedParent),
    ...run(options.tooRegular, detectTooRegular),
    ...run(options.copiedDay, detectCopiedDay),
    ...run(options.jitterVanished, detectJitterVanished),
    ...run(options.shiftAfterEvent, detectShiftAfterEvent),
  ];
  return findings.sort((a, b) => (a.pointId < b.pointId ? -1 : a.pointId > b.pointId ? 1 : a.detector < b.detector ? -1 : a.detector > b.detector ? 1 : 0));
}
