/**
 * Redfish errors as a service sends them (DSP0266, "Error responses"): an HTTP status and a body
 * `{ error: { code, message, "@Message.ExtendedInfo": [Message...] } }` whose messages come from
 * the DMTF Base registry, so a client can act on the MessageId.
 */

export const BASE_REGISTRY = 'Base.1.13';

export interface RedfishMessage {
  '@odata.type': string;
  MessageId: string;
  Message: string;
  MessageArgs: string[];
  MessageSeverity: 'OK' | 'Warning' | 'Critical';
  Severity: 'OK' | 'Warning' | 'Critical';
  Resolution: string;
  RelatedProperties?: string[];
}

export function message(key: string, text: string, args: string[] = [], resolution = 'None.', severity: 'OK' | 'Warning' | 'Critical' = 'Critical', property?: string): RedfishMessage {
  return {
    '@odata.type': '#Message.v1_1_2.Message',
    MessageId: `${BASE_REGISTRY}.${key}`,
    Message: text,
    MessageArgs: args,
    MessageSeverity: severity,
    Severity: severity,
    Resolution: resolution,
    ...(property ? { RelatedProperties: [`#/${property}`] } : {}),
  };
}

/** A failed request: thrown by resource handlers, turned into the answer by the server. */
export class RedfishError extends Error {
  constructor(
    readonly status: number,
    readonly messages: RedfishMessage[],
    readonly headers: Record<string, string> = {},
  ) {
    super(messages.map((m) => m.Message).join(' '));
  }

  body(): unknown {
    const only = this.messages.length === 1 ? this.messages[0] : undefined;
    return {
      error: {
        code: only ? only.MessageId : `${BASE_REGISTRY}.GeneralError`,
        message: only ? only.Message : 'A general error has occurred. See ExtendedInfo for more information.',
        '@Message.ExtendedInfo': this.messages,
      },
    };
  }
}

const fail = (status: number, m: RedfishMessage, headers?: Record<string, string>): RedfishError => new RedfishError(status, [m], headers);

/** The errors this simulator answers, one constructor each. */
export const errors = {
  notFound: (uri: string) => fail(404, message('ResourceMissingAtURI', `The resource at the URI ${uri} was not found.`, [uri], 'Place a valid resource at the URI or correct the URI and resubmit the request.')),
  methodNotAllowed: (method: string, uri: string, allow: string[]) =>
    fail(405, message('OperationNotAllowed', `The HTTP method ${method} is not allowed on ${uri}.`, [method, uri], 'None.'), { Allow: allow.join(', ') }),
  noValidSession: () =>
    fail(401, message('NoValidSession', 'There is no valid session established with the implementation.', [], 'Establish a session before attempting any operations.'), {
      'WWW-Authenticate': 'Basic realm="Redfish"',
    }),
  badCredentials: (uri: string) =>
    fail(401, message('ResourceAtUriUnauthorized', `While accessing the resource at ${uri}, the service received an authorization error: invalid user name or password.`, [uri, 'invalid user name or password'], 'Ensure that the appropriate access is provided for the service in order for it to access the URI.'), {
      'WWW-Authenticate': 'Basic realm="Redfish"',
    }),
  sessionLimit: () =>
    fail(503, message('SessionLimitExceeded', 'The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.', [], 'Reduce the number of other sessions before trying to establish the session or increase the limit of simultaneous sessions, if supported.'), { 'Retry-After': '5' }),
  preconditionFailed: () =>
    fail(412, message('PreconditionFailed', 'The ETag supplied did not match the ETag required to change this resource.', [], 'Try the operation again using the appropriate ETag.')),
  malformedJson: () => fail(400, message('MalformedJSON', 'The request body submitted was malformed JSON and could not be parsed by the receiving service.', [], 'Ensure that the request body is valid JSON and resubmit the request.')),
  bodyTooLarge: () => fail(413, message('PayloadTooLarge', 'The supplied payload exceeds the maximum size supported by the service.', [], 'Send a smaller payload.')),
  propertyMissing: (property: string) =>
    fail(400, message('PropertyMissing', `The property ${property} is a required property and must be included in the request.`, [property], 'Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.', 'Critical', property)),
  propertyUnknown: (property: string) =>
    fail(400, message('PropertyUnknown', `The property ${property} is not in the list of valid properties for the resource.`, [property], 'Remove the unknown property from the request body and resubmit the request if the operation failed.', 'Critical', property)),
  propertyNotWritable: (property: string) =>
    fail(400, message('PropertyNotWritable', `The property ${property} is a read-only property and cannot be assigned a value.`, [property], 'Remove the property from the request body and resubmit the request if the operation failed.', 'Critical', property)),
  propertyValueNotInList: (value: string, property: string) =>
    fail(400, message('PropertyValueNotInList', `The value ${value} for the property ${property} is not in the list of acceptable values.`, [value, property], 'Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.', 'Warning', property)),
  actionParameterMissing: (action: string, parameter: string) =>
    fail(400, message('ActionParameterMissing', `The action ${action} requires the parameter ${parameter} to be present in the request body.`, [action, parameter], 'Supply the action with the required parameter in the request body when the request is resubmitted.')),
  actionParameterValueNotInList: (value: string, parameter: string, action: string) =>
    fail(400, message('ActionParameterValueNotInList', `The value ${value} for the parameter ${parameter} in the action ${action} is not in the list of acceptable values.`, [value, parameter, action], 'Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.', 'Warning')),
  resourceInUse: (why: string) => fail(409, message('ResourceInUse', `The change to the requested resource failed because the resource is in use or in transition: ${why}.`, [], 'Remove the condition and resubmit the request if the operation failed.', 'Warning')),
  internalError: (status = 500) =>
    fail(status, message('InternalError', 'The request failed due to an internal service error.  The service is still operational.', [], 'Resubmit the request.  If the problem persists, consider resetting the service.')),
};
