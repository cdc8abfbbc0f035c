/** What the report reads from a real SQLite file (test/helpers/store-suites/report-store.ts). */
import { describe } from 'vitest';
import { sqliteBackend } from '../helpers/store-backends.js';
import { reportStoreSuite } from '../helpers/store-suites/report-store.js';

describe('the SQLite store', () => reportStoreSuite(sqliteBackend()));
