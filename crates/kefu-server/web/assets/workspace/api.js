// The workspace modules import the shared wrapper from here; it lives in /assets/api.js.
export * from '../api.js';
