// The baseline `npm run bench` compares the project's start-up with: the same runtime options, no resources.
export = async () => ({});
