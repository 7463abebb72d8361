// Drives the provider emulator with the official Runway Node SDK, exactly as a customer would.
// Env: RUNWAYML_API_SECRET (key_...), RUNWAYML_BASE_URL (e.g. http://127.0.0.1:41234/runway).
// Usage: node tests/sdk-client/text-to-video.mjs ["prompt text"]
// Prints the finished task as one line of JSON on stdout; exits 1 with the error on stderr otherwise.
import RunwayML from '@runwayml/sdk';

const promptText = process.argv[2] ?? 'A paper boat drifting down a rain-soaked street, neon reflections';

try {
  const client = new RunwayML();
  const task = await client.textToVideo
    .create({ model: 'gen4.5', promptText, ratio: '1280:720', duration: 5 })
    .waitForTaskOutput({ timeout: 120_000 });
  console.log(JSON.stringify(task));
} catch (error) {
  console.error(`${error?.name ?? 'Error'}: ${error?.message ?? error}`);
  if (error?.taskDetails) {
    console.error(JSON.stringify(error.taskDetails));
  }
  process.exitCode = 1;
}
