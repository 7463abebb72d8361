// The steps every benchmark takes in the studio before it measures: Debian's Chromium with the flags this machine
// needs, a fresh account, a project. Each bench passes its own playwright-core `chromium` (from its node_modules).

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const launchChromium = chromium => chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });

export const viewport = { width: 1400, height: 900 };

const interactive = page => page.waitForSelector('[data-testid=interactive]', { state: 'attached' });

/** Registers a new account "Bench" and waits on its projects page. */
export async function register(page, base) {
  await page.goto(`${base}/account/register`);
  await page.getByLabel('Your name').fill('Bench');
  await page.getByLabel('Email').fill(`bench${Date.now()}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('benchmark-pass');
  await page.getByLabel('Confirm password').fill('benchmark-pass');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/projects');
}

/** Creates a project from the projects page and waits until its composer is live; returns the project's URL. */
export async function createProject(page, base, name) {
  if (!page.url().endsWith('/projects')) {
    await page.goto(`${base}/projects`);
  }
  await interactive(page);
  await page.getByRole('button', { name: 'New project' }).click();
  await page.getByLabel('Project name').fill(name);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForSelector('[data-testid=composer]');
  await interactive(page);
  return page.url();
}
