// The tests drive the program through the same mock engine as `npm run plan`.
export * from "../tools/mockEngine";
