// Plays eoweb, the browser EO client, as a new user would, for server/tests/eoweb.rs: serves a
// built eoweb from a local static server, points it at the game server's port over WebSocket,
// and in headless Chromium creates an account, logs in, creates a character, enters the game,
// waits for the latency display (Message_Ping answered), chats, walks, and waits to read a
// line said by another player. Each step done is printed as `step NAME`; on a failure it
// prints `failed: ...`, saves a screenshot beside it, and exits with 1.
//
// Usage: node drive.mjs '<json>' with {dist, ws, map, chromium, user, password, say, reply,
// screenshot}. The browser is driven with playwright-core over the DevTools protocol: the
// test needs no browser download of its own (it uses Debian's chromium), and Playwright's
// locators wait for what a person would see (a button, a label, a line of text), so the
// script does not depend on eoweb's markup or timings.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const args = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = 30_000;

// The graphics (gfx/*.egf) belong to the game and are not served: each file is a PE file
// whose resource table has an empty bitmap directory, so eoweb finds no images instead of
// waiting on files that never come (a failed fetch leaves its loader waiting forever).
function emptyEgf() {
  const file = Buffer.alloc(0x228);
  file.writeUInt16LE(0x40, 0x3c); // where the PE header is
  file.write('PE\0\0', 0x40, 'latin1');
  file.writeUInt16LE(0x14c, 0x44); // machine: i386
  file.writeUInt16LE(1, 0x46); // one section
  file.writeUInt32LE(0x1000, 0xc8); // the resource directory's virtual address
  file.writeUInt32LE(0x1000, 0x144); // the section's virtual address
  file.writeUInt32LE(0x200, 0x14c); // ... and where it is in the file
  file.writeUInt16LE(1, 0x20e); // the root directory: one entry
  file.writeUInt32LE(2, 0x210); // type 2, bitmaps
  file.writeUInt32LE(0x80000018, 0x214); // in the empty directory at 0x218
  return file;
}

const EGF = emptyEgf();
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

function serve(request, response) {
  const url = decodeURIComponent(new URL(request.url, 'http://local').pathname);
  if (url === '/config.json') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        host: args.ws,
        staticHost: true,
        title: 'eo-server test',
        creditsUrl: 'about:blank',
        soundFont: 'none.sf2',
      }),
    );
    return;
  }
  if (/^\/gfx\/gfx\d{3}\.egf$/.test(url)) {
    response.writeHead(200);
    response.end(EGF);
    return;
  }
  // The title screen's backdrop: a map of the world under test.
  if (url === '/maps/00005.emf') {
    response.writeHead(200);
    response.end(fs.readFileSync(args.map));
    return;
  }
  const file = path.join(args.dist, url === '/' ? 'index.html' : url);
  if (!file.startsWith(args.dist) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404);
    response.end();
    return;
  }
  response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  response.end(fs.readFileSync(file));
}

const site = http.createServer(serve);
await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({
  executablePath: args.chromium,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--use-gl=swiftshader',
    '--enable-unsafe-swiftshader',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
page.setDefaultTimeout(STEP_TIMEOUT);
page.on('pageerror', (error) => console.log(`page error: ${String(error).slice(0, 200)}`));

function step(name) {
  console.log(`step ${name}`);
}

try {
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
  step('loaded');

  await page.getByRole('button', { name: 'Create Account' }).click();
  await page.getByLabel('Username').fill(args.user);
  await page.getByLabel('Password', { exact: true }).fill(args.password);
  await page.getByLabel('Confirm Password').fill(args.password);
  await page.getByLabel('Full Name').fill('New User');
  await page.getByLabel('Location').fill('Nowhere');
  await page.getByLabel('Email').fill('new.user@example.com');
  await page.getByRole('button', { name: 'Create Account' }).click();
  // The client's messages come from the game's data files, which are not served: the
  // dialog that says the account was made has only its OK button.
  await page.getByRole('button', { name: 'OK' }).click();
  step('account created');

  await page.getByLabel('Username').fill(args.user);
  await page.getByLabel('Password', { exact: true }).fill(args.password);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('button', { name: 'New Character' }).waitFor();
  step('logged in');

  await page.getByRole('button', { name: 'New Character' }).click();
  await page.getByLabel('Name').fill(args.user);
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByRole('button', { name: 'OK' }).click();
  step('character created');

  await page.getByRole('button', { name: 'Login', exact: true }).first().click();
  const shown = args.user.charAt(0).toUpperCase() + args.user.slice(1);
  await page.getByText(shown, { exact: true }).first().waitFor();
  step('entered');

  // The HUD shows the round trip of eoweb's Message_Ping once a Message_Pong came back.
  await page.getByText(/^\d+\s*ms$/).first().waitFor();
  step('pong');

  await page.keyboard.press('Enter');
  const chat = page.getByPlaceholder('Say something...').first();
  await chat.fill(args.say);
  await chat.press('Enter');
  await chat.press('Escape');
  step('said');

  await page.keyboard.down('ArrowLeft');
  await page.waitForTimeout(1500);
  await page.keyboard.up('ArrowLeft');
  step('walked');

  await page.getByText(args.reply).first().waitFor({ timeout: 60_000 });
  step('heard');
} catch (error) {
  console.log(`failed: ${String(error).split('\n')[0]}`);
  await page.screenshot({ path: args.screenshot }).catch(() => {});
  console.log(`screenshot: ${args.screenshot}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  site.close();
}
