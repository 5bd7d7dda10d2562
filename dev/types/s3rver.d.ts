// s3rver ships no types; dev/stack.ts describes the small part it uses.
declare module 's3rver';
