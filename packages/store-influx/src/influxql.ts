/** Quoting for InfluxQL identifiers and string literals (InfluxQL reference, "Identifiers" and "Literals"). */
export const quoteIdentifier = (name: string): string => `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
export const quoteString = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
