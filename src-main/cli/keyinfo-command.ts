import type { Command } from 'commander';
import { KeyInfoFetchError, KeyInfoWriter } from '../keys/keyinfo-writer';

export function registerKeyInfoCommand(program: Command): void {
  program
    .command('keyinfo')
    .description('Keep an ffmpeg -hls_key_info_file current from the CAS (use with -hls_flags periodic_rekey)')
    .requiredOption('--server <url>', 'the CAS client API, e.g. http://cas.lan:8100')
    .option('--api-key <key>', 'an API key with scope "packager" (or CAS_PACKAGER_API_KEY)', process.env.CAS_PACKAGER_API_KEY)
    .requiredOption('--channel <id>', 'the channel id')
    .requiredOption('--dir <dir>', 'folder for the key info file and key files (readable by ffmpeg only)')
    .option('--keyinfo-file <file>', 'path of the key info file (default: <dir>/<channel>.keyinfo)')
    .option('--once', 'write the current key once and exit')
    .action(async (options: { server: string; apiKey?: string; channel: string; dir: string; keyinfoFile?: string; once?: boolean }) => {
      if (!options.apiKey) {
        console.error('Give a packager API key with --api-key or CAS_PACKAGER_API_KEY');
        process.exit(2);
      }
      const writer = new KeyInfoWriter({
        server: options.server,
        apiKey: options.apiKey,
        channel: options.channel,
        dir: options.dir,
        keyInfoFile: options.keyinfoFile,
        log: (message) => console.log(`${new Date().toISOString()} ${message}`),
      });
      try {
        if (options.once) {
          // refresh() arms the switch to the next period's key; once means no switch: stop at once.
          await writer.refresh().finally(() => writer.stop());
          console.log(writer.keyInfoFile);
          return;
        }
        await writer.run();
      } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        process.exit(error instanceof KeyInfoFetchError && !error.fatal ? 3 : 1);
      }
      console.log(`Keeping ${writer.keyInfoFile} current; stop with Ctrl-C`);
      const stop = () => {
        writer.stop();
        process.exit(process.exitCode ?? 0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
