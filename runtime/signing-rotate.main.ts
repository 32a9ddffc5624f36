/**
 * `npm run signing:rotate`: a new signing key for this data folder (or IRFLOW_SIGNING_KEY_FILE);
 * the old key's public key stays published, so what it signed still verifies. Restart the API
 * and the workers afterwards: they read the key at start.
 */
import { loadConfig } from './config.js';
import { rotateSigningKey } from './signing-keys.js';

const config = loadConfig();
const { previous, current } = rotateSigningKey(config.dataDir);
console.log(`signing key rotated: ${previous} -> ${current} (the old public key stays published; restart the API and the workers)`);
