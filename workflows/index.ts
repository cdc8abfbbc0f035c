/** Every workflow a cascade worker runs (the bundler's entry point). */
export { CampaignWorkflow } from './campaign.js';
