/** The store's queries for the brute-force counterfactual on a real SQLite file (test/helpers/store-suites/store-counterfactual.ts). */
import { describe } from 'vitest';
import { sqliteBackend } from '../helpers/store-backends.js';
import { storeCounterfactualSuite } from '../helpers/store-suites/store-counterfactual.js';

describe('the SQLite store', () => storeCounterfactualSuite(sqliteBackend()));
