/** Regenerates configs/schema.json from the zod campaign schema. Run with `npm run schema`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { campaignJsonSchemaText } from '../lib/campaign/json-schema.js';

const target = fileURLToPath(new URL('../configs/schema.json', import.meta.url));
writeFileSync(target, campaignJsonSchemaText());
console.log(`wrote ${target}`);
