-- POST the class registration form as a classroom does: every request is another student, with
-- the CSRF cookie and form token of their own GET of the form (run.py fetches BENCH_STUDENTS such
-- pairs, each with a fresh cookie jar, into CSRF) and a unique, valid GB 11643 ID number.
-- (CSRF, PATH, NTHREADS and OFFSET are prepended by run.py.)
local WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local CHECK = "10X98765432"
local BASE = 946684800 -- 2000-01-01 UTC: birth dates 2000-2005, all adults on any test date
local n = 0

local function id_number(index)
  local seq = index % 1000
  local day = math.floor(index / 1000) % 2190
  local first17 = "420106" .. os.date("!%Y%m%d", BASE + day * 86400) .. string.format("%03d", seq)
  local total = 0
  for i = 1, 17 do total = total + tonumber(first17:sub(i, i)) * WEIGHTS[i] end
  local m = total % 11 + 1
  return first17 .. CHECK:sub(m, m)
end

function init(args)
  ok, bad = 0, 0
end

function request()
  -- Interleave threads: index = OFFSET + n * THREADS + id keeps every number unique.
  local index = OFFSET + n * NTHREADS + id
  n = n + 1
  local student = CSRF[(index % #CSRF) + 1]
  local body = "csrfmiddlewaretoken=" .. student.token ..
    "&name=%E5%BC%A0%E4%B8%89" .. "&id_number=" .. id_number(index) ..
    "&ethnicity=%E6%B1%89%E6%97%8F" .. "&phone=138" .. string.format("%08d", index % 100000000) ..
    "&student_number=2020" .. string.format("%06d", index % 1000000) ..
    "&level=3&consent=on"
  return wrk.format("POST", PATH, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. student.cookie,
  }, body)
end

function response(status, headers, body)
  -- Success is the redirect to the candidate's private page; a 200 is the form with errors.
  if status == 302 then ok = ok + 1 else bad = bad + 1 end
end
