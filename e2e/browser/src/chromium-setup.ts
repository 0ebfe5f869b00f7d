import { ensureChromium } from './chromium.js';

export default function setup(): void {
  ensureChromium();
}
