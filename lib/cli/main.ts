/** `lowpower` command line: dispatches to the sub-commands. */
import { runBmcCommand } from './bmc-command.ts';
import { runFleetCommand } from './fleet-command.ts';


const USAGE = `usage: lowpower COMMAND ...

commands:
  start [--port 8080] [--state-dir DIR]
           the whole service on this machine: embedded DynamoDB, simulated fleet, scheduler, HTTP API
  bmc VERB -H HOST [-p PORT] -U USER (-E | -f PASSWORD_FILE) [-C 3|17] [--lan15] [--json]
           talk to one BMC over IPMI-over-LAN (run "lowpower bmc --help" for the verbs)
  fleet status --inventory FILE [--json] [--concurrency N] [-t MS] [-R N] [-C 3|17]
           power, temperatures and draw of every BMC in an inventory
  pool show|plan|sleep|wake|energy POOL [-r REASON] [--dry-run] [--url URL] [--token-file FILE] [--json]
           a pool through the lowpower API: its plan for the night, sleep, wake, energy saved
           (a token from --token-file or $LOWPOWER_TOKEN; a deployed API needs one)
  doctor [--pool POOL] [--url URL] [--token-file FILE] [--json]
           check a deployment through its API: XAPI, every BMC and its binding, schedules, Slack
  pool import POOL --xapi URL -U USER (-f FILE | -E) --bmc-range RANGE --bmc-user USER --bmc-password-file FILE [--dry-run]
           onboard a pool: hosts from XAPI, BMCs found in RANGE and matched by serial, added bound
  host add HOST --pool POOL --bmc ADDRESS[:PORT] --bmc-user USER --bmc-password-file FILE [--protocol P]
           add one host through the API; its BMC is read and bound to it
  dashboard --url URL [--port 8081]
           the dashboard on this machine for a deployed API (the page here, its API calls forwarded)
  secrets put REF (--file FILE | --stdin) --stage STAGE [--region R]
           put a password or key into a deployed stack's Secrets Manager (lowpower/STAGE/REF)
  slack manifest --api-url URL [--name NAME]
           the Slack app manifest with the deployed API's URLs filled in, to paste into Slack
  sim --count N [--base-port P] [--seed S] [--inventory FILE]
           N simulated BMCs on 127.0.0.1 and their inventory, until stopped
  sim fault NAME on|off [--host ID]
           switch a fault of the local runner's simulators (xapi-down, bmc-silent, bmc-foreign, ...)
  sim load --vm ID|all --cpu N [--memory N] | --reset
           push the local runner's simulated VMs to a load, or back to the day/night model
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'bmc':
      return runBmcCommand(rest);
    case 'doctor':
      return (await import('./doctor-command.ts')).runDoctorCommand(rest);
    case 'dashboard':
      return (await import('./dashboard-command.ts')).runDashboardCommand(rest);
    case 'fleet':
      return runFleetCommand(rest);
    case 'host':
      return (await import('./host-command.ts')).runHostCommand(rest);
    case 'pool':
      return (await import('./pool-command.ts')).runPoolCommand(rest);
    case 'secrets':
      return (await import('./secrets-command.ts')).runSecretsCommand(rest);
    case 'sim':
      return (await import('./sim-command.ts')).runSimCommand(rest);
    case 'slack':
      return (await import('./slack-command.ts')).runSlackCommand(rest);
    case 'start':
      // Loaded on demand: the AWS SDK and dynalite are not needed to talk to one BMC.
      return (await import('./start-command.ts')).runStartCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`lowpower: unknown command "${command}"\n${USAGE}`);
      return 1;
  }
}
