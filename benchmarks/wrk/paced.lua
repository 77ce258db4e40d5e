-- Open-loop-ish pacing: each connection waits DELAY_MS before its next request.
function delay()
  return DELAY_MS
end
