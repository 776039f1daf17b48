/** How an import matched a host to a BMC (pure: the API's schemas, compiled for the browser too, check their list against it). */
export type MatchState =
  /** Serials equal: the host is added with this BMC, bound. */
  | 'matched'
  /** The host's or the BMC's serial is a placeholder ("To be filled by O.E.M."): proves nothing. */
  | 'placeholder-serial'
  /** A host of the pool with no BMC found for it. */
  | 'no-bmc'
  /** A BMC whose serial is no host of the pool. */
  | 'no-host'
  /** Two or more BMCs answer with one serial: none of them is matched. */
  | 'duplicate-serial'
  /** The host is in the store with this BMC already. */
  | 'already-bound'
  /** The host is in the store with another BMC: changing it is a person's decision (rebind). */
  | 'bound-elsewhere'
  /** The BMC answered the presence probe but its identity could not be read (credentials, protocol). */
  | 'unreadable';
