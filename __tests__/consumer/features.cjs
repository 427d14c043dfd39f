// Installed from the packed tarball: the feature entries by CommonJS `require`.
const { withPeers, withoutPeers } = require("./features-run.cjs");

const load = async (name) => require(name);
(process.argv[2] === "without-peers" ? withoutPeers(load) : withPeers(load)).then((out) =>
  console.log(`cjs ${out}`),
);
