export * from './args.ts';
export * from './csv.ts';
export * from './readings-file.ts';
export * from './account-command.ts';
export * from './format-table.ts';
export * from './run.ts';
