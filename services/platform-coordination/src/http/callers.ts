/**
 * Which services may call the coordination API (a token's `sub`; admins are admitted by role).
 * Registry and configuration admit every service: each registers itself and reads its own
 * configuration, and those routes check that the record is the caller's own.
 */
export const ANY_SERVICE = '*';

/** The platform's services, for the routes that only they use. */
export const PLATFORM_SERVICES = ['orders', 'inventory', 'delivery', 'notifications', 'product-catalog'];

/** Orders starts, cancels and retries order workflows. */
export const WORKFLOW_COMMANDERS = ['orders'];
