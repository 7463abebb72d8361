// The browser collections (file-system storage, Azure Blob storage) each start a studio and a Chromium; they run
// one after another so that two browsers and two studios never compete for the CPU the timing-sensitive steps
// (watching a take go Running -> Ready) need.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
