-- POST the eligibility API with a student question (the class form's live hint asks the same).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"level": 3, "candidate_type": "student", "major": "电子商务", "grade": 2}'

function init(args)
  ok, bad = 0, 0
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else bad = bad + 1 end
end
