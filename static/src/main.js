// main.js: entry of the map page (/).
import { start } from './app.js';

start({ embed: false });
