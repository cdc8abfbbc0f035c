/** The store's read for `cascade export` on a real SQLite file (test/helpers/store-suites/export-store.ts). */
import { describe } from 'vitest';
import { sqliteBackend } from '../helpers/store-backends.js';
import { exportStoreSuite } from '../helpers/store-suites/export-store.js';

describe('the SQLite store', () => exportStoreSuite(sqliteBackend()));
