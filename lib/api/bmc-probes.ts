/**
 * The BMC probes the host routes use (protocol discovery, the certificate a BMC presents),
 * imported on first use: they bring the IPMI and Redfish clients, which a request that adds or
 * re-pins no host never needs (see lib/ops/lazy-driver.ts for why a Lambda bundle cares).
 */
export { probeCertificate, probeProtocol } from '../onboard/index.ts';
