// s3rver ships no types; dev/stack.ts narrows what it uses with its own interface.
declare module 's3rver';
