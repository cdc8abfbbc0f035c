/** Ensemble members' predictions in a real SQLite file (test/helpers/store-suites/prediction-samples.ts). */
import { describe } from 'vitest';
import { sqliteBackend } from '../helpers/store-backends.js';
import { predictionSamplesSuite } from '../helpers/store-suites/prediction-samples.js';

describe('the SQLite store', () => predictionSamplesSuite(sqliteBackend()));
