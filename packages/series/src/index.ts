// One module per stored series; each owns both halves of its layout (value → point, row → value).
export * from './readings.ts';
export * from './figures.ts';
export * from './restatements.ts';
