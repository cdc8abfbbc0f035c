/** Claims on calculations in SQLite files that several connections share (test/helpers/store-suites/claims.ts). */
import { describe } from 'vitest';
import { sqliteBackend } from '../helpers/store-backends.js';
import { claimsSuite } from '../helpers/store-suites/claims.js';

describe('the SQLite store', () => claimsSuite(sqliteBackend()));
