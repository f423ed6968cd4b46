// embed.js: entry of the embed widget (/embed).
import { start } from './app.js';

start({ embed: true });
