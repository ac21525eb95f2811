/**
 * A validator for the part of JSON Schema draft-07 that schemas/nixpkgs.lock.schema.json uses
 * (type, const, enum, required, properties, additionalProperties: false, pattern, minLength,
 * minimum, oneOf, not), so the shipped schema can be checked against the zod schema without a
 * new dependency. Any other keyword fails loudly rather than being ignored.
 */
export interface SchemaNode {
  readonly [keyword: string]: unknown;
}

const annotations = new Set(['$schema', '$id', 'title', 'description']);
const known = new Set([
  ...annotations,
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'pattern',
  'minLength',
  'minimum',
  'oneOf',
  'not',
]);

function typeMatches(type: unknown, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      throw new Error(`unsupported type ${String(type)}`);
  }
}

/** The first reason `value` does not match `schema`, or undefined when it matches. */
export function schemaError(schema: SchemaNode, value: unknown, at = '$'): string | undefined {
  for (const keyword of Object.keys(schema))
    if (!known.has(keyword)) throw new Error(`unsupported keyword ${keyword} at ${at}`);
  if (schema['type'] !== undefined && !typeMatches(schema['type'], value))
    return `${at}: not ${JSON.stringify(schema['type'])}`;
  if ('const' in schema && value !== schema['const'])
    return `${at}: not ${String(schema['const'])}`;
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) return `${at}: not in enum`;
  if (typeof value === 'string') {
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(value))
      return `${at}: does not match ${schema['pattern']}`;
    if (typeof schema['minLength'] === 'number' && value.length < schema['minLength'])
      return `${at}: too short`;
  }
  if (
    typeof value === 'number' &&
    typeof schema['minimum'] === 'number' &&
    value < schema['minimum']
  )
    return `${at}: below minimum`;
  if (
    schema['not'] !== undefined &&
    schemaError(schema['not'] as SchemaNode, value, at) === undefined
  )
    return `${at}: matches a forbidden schema`;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, SchemaNode>;
    for (const name of (schema['required'] ?? []) as string[])
      if (!(name in record)) return `${at}: missing ${name}`;
    for (const [name, item] of Object.entries(record)) {
      const property = properties[name];
      if (property) {
        const error = schemaError(property, item, `${at}.${name}`);
        if (error) return error;
      } else if (schema['additionalProperties'] === false) {
        return `${at}: unexpected ${name}`;
      }
    }
  }
  if (Array.isArray(schema['oneOf'])) {
    const matching = (schema['oneOf'] as SchemaNode[]).filter(
      (branch) => schemaError(branch, value, at) === undefined,
    );
    if (matching.length !== 1) return `${at}: matches ${matching.length} of oneOf`;
  }
  return undefined;
}
