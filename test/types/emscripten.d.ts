// web-tree-sitter's declarations name Emscripten's module type for an option this project never passes;
// @types/emscripten would pull in the browser DOM types, so the name is declared empty here instead.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a name only, see above
interface EmscriptenModule {}
