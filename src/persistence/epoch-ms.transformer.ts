import type { ValueTransformer } from 'typeorm';

/**
 * Stores a `Date` as epoch milliseconds in a `bigint` column: the same on SQLite and PostgreSQL,
 * free of time-zone conversions, and cheap to compare on the session hot path.
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null | undefined) =>
    value === null || value === undefined ? value : new Date(Number(value)),
};
