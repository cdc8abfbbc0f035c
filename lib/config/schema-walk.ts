/** Walks a zod schema alongside the data being validated, to find what a field at a path accepts. */
import { z } from 'zod';

type Schema = z.core.$ZodType;
type FieldPath = readonly PropertyKey[];

/** The schema of the field at `path` (as written in the object shape: possibly wrapped in a default). */
export function fieldSchema(root: Schema, path: FieldPath, data: unknown): Schema | undefined {
  let schema: Schema | undefined = root;
  let value = data;
  for (const segment of path) {
    if (schema === undefined) return undefined;
    schema = child(unwrap(schema, value), segment);
    value = childValue(value, segment);
  }
  return schema;
}

/** The keys an object at `path` accepts; [] when the path is not an object in the schema. */
export function knownKeys(root: Schema, path: FieldPath, data: unknown): string[] {
  const schema = fieldSchema(root, path, data);
  const object = schema && unwrap(schema, valueAt(data, path));
  return object instanceof z.ZodObject ? Object.keys(object.shape) : [];
}

/** The `.describe()` text of the field at `path`, if any. */
export function fieldDescription(root: Schema, path: FieldPath, data: unknown): string | undefined {
  let schema = fieldSchema(root, path, data);
  while (schema !== undefined) {
    const description = schema instanceof z.ZodType ? schema.description : undefined;
    if (description) return description;
    const inner = unwrapOnce(schema, undefined);
    schema = inner === schema ? undefined : inner;
  }
  return undefined;
}

/** Strips defaults, optionals, pipes and similar wrappers; resolves a discriminated union by the data. */
function unwrap(schema: Schema, data: unknown): Schema | undefined {
  let current: Schema | undefined = schema;
  for (;;) {
    const inner: Schema | undefined = current && unwrapOnce(current, data);
    if (inner === current) return current;
    current = inner;
  }
}

function unwrapOnce(schema: Schema, data: unknown): Schema | undefined {
  if (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch
  ) {
    return schema.unwrap() as Schema;
  }
  if (schema instanceof z.ZodPipe) return schema.in as Schema;
  if (schema instanceof z.ZodDiscriminatedUnion) return unionOption(schema, data);
  return schema;
}

function unionOption(union: z.ZodDiscriminatedUnion, data: unknown): Schema | undefined {
  const discriminator = union.def.discriminator;
  const value = childValue(data, discriminator);
  return union.options.find((option) => {
    const object = unwrap(option, undefined);
    const tag = object instanceof z.ZodObject ? object.shape[discriminator] : undefined;
    return tag instanceof z.ZodLiteral && tag.values.has(value as z.core.util.Literal);
  });
}

function child(schema: Schema | undefined, segment: PropertyKey): Schema | undefined {
  if (schema instanceof z.ZodObject)
    return Object.hasOwn(schema.shape, segment) ? schema.shape[String(segment)] : undefined;
  if (schema instanceof z.ZodArray) return schema.element as Schema;
  if (schema instanceof z.ZodRecord) return schema.valueType as Schema;
  return undefined;
}

function childValue(data: unknown, segment: PropertyKey): unknown {
  return typeof data === 'object' && data !== null
    ? (data as Record<PropertyKey, unknown>)[segment]
    : undefined;
}

function valueAt(data: unknown, path: FieldPath): unknown {
  return path.reduce<unknown>(childValue, data);
}

/** Whether the field at `path` is a free-form mapping (z.record), whose keys are data rather than settings. */
export function isRecordField(root: Schema, path: FieldPath, data: unknown): boolean {
  const schema = fieldSchema(root, path, data);
  return schema !== undefined && unwrap(schema, valueAt(data, path)) instanceof z.ZodRecord;
}
