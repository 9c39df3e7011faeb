import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionToken = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/**
 * The tokens of a command line, every one of them: parseArgs runs non-strict, since in strict
 * mode it throws at the first unknown option. A value that looks like an option (`--manifest
 * --readings r.csv`) is the value forgotten, unless written `--manifest=--x`: that option is
 * reported without a value, and the rest is parsed again from the option parseArgs took as a value.
 */
export function optionTokens(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): OptionToken[] {
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const out: OptionToken[] = [];
  for (const token of tokens) {
    if (token.kind === 'option' && !token.inlineValue && token.value?.startsWith('-')) {
      out.push({ ...token, value: undefined, inlineValue: undefined });
      return [...out, ...optionTokens(args.slice(token.index + 1), options)];
    }
    out.push(token);
  }
  return out;
}
