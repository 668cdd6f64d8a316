/** pino-roll 4 (the package ships no typings): the options this project uses. */
declare module 'pino-roll' {
  import type pino from 'pino';

  interface PinoRollOptions {
    /** `logs/cas.log` writes `logs/cas.1.log`, `logs/cas.2.log`, … (the highest is the current file). */
    file: string;
    /** A new file once the current one reaches this size (`'10m'`; a bare number is MB). */
    size?: string | number;
    /** Rotated files kept beside the current one; with `removeOtherLogFiles`, also those of earlier runs. */
    limit?: { count: number; removeOtherLogFiles?: boolean };
    // Passed on to sonic-boom:
    mkdir?: boolean;
    /** Mode of the files it creates. */
    mode?: number;
    sync?: boolean;
    /** Bytes held in memory while writes fail; lines beyond are dropped (the `drop` event). */
    maxLength?: number;
  }

  /** A sonic-boom stream writing into the current file, for pino. */
  function pinoRoll(options: PinoRollOptions): Promise<ReturnType<typeof pino.destination>>;
  export = pinoRoll;
}
