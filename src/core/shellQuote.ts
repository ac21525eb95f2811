/** Single-quotes a value for bash and POSIX shells so that every byte comes back unchanged. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
