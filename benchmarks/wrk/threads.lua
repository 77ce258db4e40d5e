-- Keeps a handle on every thread so that done() can add up their counters.
threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  thread:set("csrf_cookie", (CSRF or {})[counter] and CSRF[counter].cookie or "")
  thread:set("csrf_token", (CSRF or {})[counter] and CSRF[counter].token or "")
  table.insert(threads, thread)
end
