-- The mixed workload: anonymous readers plus signed-in members who answer and vote.
--
-- BENCH_MIXED_DATA names a Lua file written by bench/run that returns
--   { questions = { {id=, path=}, ... },  -- open questions (never the measured question page)
--     posts = { id, ... },                -- questions and answers members may vote on
--     members = { {cookie=, csrf=}, ... },-- signed-in sessions of the bench members
--     tag = "name", search = "words",     -- what the list and search reads ask for
--     write_share = 0.05,
--     votes_only = false }                -- true: every request is a vote (the `votes` run)
-- Of all requests, write_share are writes (half answers, half votes, each by a random member);
-- the rest are reads: 70 % question pages, 15 % the home list, 10 % a tag page, 5 % search.
-- A write answers 303 (answers) or 200 (votes); wrk counts any status >= 400 as an error.

local data = dofile(os.getenv("BENCH_MIXED_DATA"))
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  -- Each thread has its own Lua state; give each its own random sequence.
  math.randomseed(os.time() * 1000 + (thread_number or 0))
end

local form = "application/x-www-form-urlencoded"

local function pick(list)
  return list[math.random(#list)]
end

local function answer_body()
  -- Distinct text each time, well inside the 30-30,000 character limit.
  return "body=" .. "Benchmark+answer+" .. math.random(1, 1000000000)
    .. "%3A+restart+the+service+after+changing+the+setting%2C+then+check+the+log+again."
end

function request()
  local r = math.random()
  if r < data.write_share then
    local member = pick(data.members)
    local headers = { ["Cookie"] = member.cookie, ["X-CSRF-Token"] = member.csrf, ["Content-Type"] = form }
    if r < data.write_share / 2 and not data.votes_only then
      local q = pick(data.questions)
      return wrk.format("POST", "/questions/" .. q.id .. "/answers", headers, answer_body())
    end
    local value = (math.random(2) == 1) and "up" or "none"
    return wrk.format("POST", "/posts/" .. pick(data.posts) .. "/vote", headers, "value=" .. value)
  end
  r = math.random()
  if r < 0.70 then
    return wrk.format("GET", pick(data.questions).path)
  elseif r < 0.85 then
    return wrk.format("GET", "/")
  elseif r < 0.95 then
    return wrk.format("GET", "/tags/" .. data.tag)
  end
  return wrk.format("GET", "/search?q=" .. data.search)
end
