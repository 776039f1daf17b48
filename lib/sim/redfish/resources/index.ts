/** Every resource a simulated Redfish BMC serves, as one route table. */
import type { Route } from '../router.ts';
import type { RedfishBmcState } from '../state.ts';
import { chassisRoutes } from './chassis.ts';
import { serviceRoutes } from './service.ts';
import { subsystemRoutes } from './subsystems.ts';
import { systemRoutes } from './systems.ts';
import { taskRoutes } from './tasks.ts';
import { resourcePaths } from './odata.ts';

export function allRoutes(state: RedfishBmcState): Route[] {
  return [...serviceRoutes(state), ...systemRoutes(state), ...chassisRoutes(state), ...subsystemRoutes(resourcePaths(state.o.ids).chassis), ...taskRoutes()];
}
