/** The DCMI commands a simulated BMC answers: the power reading from its host model, and the capabilities it declares. */
import { Privilege } from '../../../ipmi/index.ts';
import { dcmiGetPowerReading } from '../../../ipmi/index.ts';
import {
  dcmiGetCapabilities,
  DCMI_CONFORMANCE,
  encodeDcmiManageabilityAccess,
  encodeDcmiMandatoryAttributes,
  encodeDcmiOptionalAttributes,
  encodeDcmiSupportedCapabilities,
} from '../../../ipmi/index.ts';
import { Completion, serve, type HandlerContext, type HandlerEntry } from './handler.ts';

/** The noDcmiWithWattsSensor mode: a BMC without DCMI answers its commands as any unknown command. */
function dcmiPresent(ctx: HandlerContext): void {
  if (ctx.state.quirks.noDcmiWithWattsSensor) throw new Completion(0xc1);
}

const powerReading = serve(dcmiGetPowerReading, Privilege.user, (_req, ctx) => {
  dcmiPresent(ctx);
  const p = ctx.state.host.power();
  const state = ctx.state.quirks.dcmiReadingState;
  // A deactivated meter holds nothing; one that reads 0 W says it is active all the same.
  if (state) return { watts: 0, minWatts: 0, maxWatts: 0, averageWatts: 0, timestamp: ctx.state.seconds(), periodMs: p.periodMs, active: state === 'zero' };
  return {
    watts: p.watts,
    minWatts: p.min,
    maxWatts: p.max,
    averageWatts: p.average,
    timestamp: ctx.state.seconds(),
    periodMs: p.periodMs,
    active: true,
  };
});

/** The data of one DCMI capabilities parameter (1 supported capabilities ... 4 manageability access). */
function capabilityParameter(parameter: number): Buffer {
  switch (parameter) {
    case 1:
      return encodeDcmiSupportedCapabilities({
        identification: false,
        selLogging: false,
        chassisPower: false,
        temperatureMonitor: false,
        powerManagement: true,
        inBandSystemInterface: false,
        serialTmode: false,
        secondaryLan: false,
        primaryLan: false,
        sol: false,
        vlan: false,
      });
    case 2:
      return encodeDcmiMandatoryAttributes({
        selEntries: 512,
        recordLevelFlush: false,
        entireFlush: false,
        selAutoRollover: false,
        guid: true,
        dhcpHostName: false,
        assetTag: false,
        inletTemperature: true,
        processorTemperature: true,
        baseboardTemperature: true,
        temperatureSamplingSeconds: 1,
      });
    case 3:
      return encodeDcmiOptionalAttributes({ powerManagementAddress: 0x20, powerManagementChannel: 0, deviceRevision: 1 });
    case 4:
      return encodeDcmiManageabilityAccess({ primaryLanChannel: 1, secondaryLanChannel: null, serialTmodeChannel: null });
    default:
      throw new Completion(0xcc);
  }
}

const capabilities = serve(dcmiGetCapabilities, Privilege.user, (req, ctx) => {
  dcmiPresent(ctx);
  const data = capabilityParameter(req.parameter);
  return { major: DCMI_CONFORMANCE.major, minor: DCMI_CONFORMANCE.minor, parameterRevision: DCMI_CONFORMANCE.parameterRevision, data };
});

export const DCMI_HANDLERS: readonly HandlerEntry[] = [powerReading, capabilities];
