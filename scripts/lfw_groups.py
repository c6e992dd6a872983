"""Build mpp/biometrics/data/lfw_groups.csv: LFW identities labelled by group, for
`manage.py face_eval --groups` (docs/biometrics.md, "Evaluation by group").

    python scripts/lfw_groups.py /path/to/lfw/lfw-names.txt

- `east_se_asian`: a hand-made list (ASIAN below) of LFW identities known to be East or
  Southeast Asian (Indonesia, Malaysia, the Philippines, Thailand, Vietnam, Cambodia, Myanmar,
  Singapore, China, Hong Kong, Taiwan, Japan, Korea, and people of those origins abroad),
  picked from the names by the builder's own knowledge of the public figures, not by looking at
  the photographs or at any score. Doubtful names were left out.
- `western`: identities whose first given name is in WESTERN_GIVEN (common English, French,
  German, Italian, Dutch and Scandinavian given names) and that are not in ASIAN, drawn with a
  fixed seed so that its image-count profile matches the Asian group identity by identity (for
  each Asian identity, the unused western identity with the nearest image count). It is a
  *name* proxy for "Western", not an ancestry label.
- `split`: `dev` for identities with at most 3 images (thresholds are calibrated on these and
  on LFW View 1), `reserved` for 4 or more (only for the figures reported).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "mpp" / "biometrics" / "data" / "lfw_groups.csv"
SEED = 12
RESERVED_FROM = 4


def _words(text: str) -> list[str]:
    return text.split()


ASIAN = _words(
    """
Abdullah_Ahmad_Badawi Ai_Sugiyama Akiko_Morigami Alan_Tang_Kwong-wing Alberto_Fujimori
Ambrose_Lee Andy_Lau Angelo_Reyes Annette_Lu Antony_Leung Anwar_Ibrahim Atsushi_Sato
Aung_San_Suu_Kyi BJ_Habibie Bak_Chang-Ryun Blas_Ople Carina_Lau_Ka-ling Cecilia_Cheung
Cha_Yung-gu Chan_Ho_Park Chang_Dae-whan Chang_Saio-yue Chen_Kaige Chen_Liang_Yu Chen_Shui-bian
Chen_Tsai-chin Chin-Feng_Chen Cho_Myung-kyun Choi_Sung-hong Choi_Yun-yong Chok_Tong_Goh
Chuanyun_Li Chung_Mong-hun Chung_Mong-joon Chyung_Dai-chul Connie_Chung Dai_Chul_Chyung
David_Ho Debra_Yang Du_Qinglin Edward_Lu Eric_Shinseki Eriko_Tamura Fann_Wong Faye_Wong
Fruit_Chan Fujio_Cho Gao_Qiang Gloria_Macapagal_Arroyo Goh_Kun Gong_Li Gong_Ruina
Guangdong_Ou_Guangyuan Ham_Pong-sil Hamzah_Haz Han_Sung_Joo Hassan_Wirajuda Hee-Won_Han
Heizo_Takenaka Hermogenes_Ebdane_Jr Hichiro_Naemura Hideki_Matsui Hideki_Sato Hidetoshi_Nakata
Hiroki_Gomi Hiroyuki_Yoshino Hisashi_Owada Hitoshi_Oshitani Hitoshi_Tanaka Hu_Jintao Hu_Maoyuan
Huan_Chung_Yi Huang_Suey-Sheng Hun_Sen Hung_Wan-ting Hwang_Doo-yun Jackie_Chan Jacky_Cheung
Jeong_Se-hyun Jiang_Zemin Jo_Joong-hyon Jong_Thae_Hwa Jong_Wook_Lee Joseph_Estrada
Junichi_Inamoto Junichiro_Koizumi Junko_Tabei Kang_Gum-sil Karen_Mok Keiko_Sofia_Fujimori
Keizo_Yamada Ken_Watanabe Khin_Nyunt Kim_Dae-jung Kim_Dong-hwa Kim_Dong-tae Kim_Hong-gul
Kim_Hong-up Kim_Jin-sun Kim_Jong-Il Kim_Ryong-sung Kim_Su_Nam Kim_Yong-il Kim_Yun-kyu
King_Bhumibol_Adulyadej Koichi_Haraguchi Koichi_Tanaka Koichiro_Matsuura Koji_Uehara Kong_Quan
Kosuke_Kitajima Kwon_Yang-sook Kwon_Young-gil Kyoko_Nakayama Lee_Byung-woong Lee_Chang-dong
Lee_Hoi-chang Lee_Hong-ki Lee_Hyung-taik Lee_Nam-shin Lee_Soo-hyuck Lee_Tae-sik Lee_Yeo-jin
Lee_Yuan-tseh Li_Changchun Li_Ka-shing Li_Peng Li_Ruihuan Li_Zhaoxing Lim_Dong-won Lin_Yi-fu
Lin_Yung_Hsi Liu_Mingkang Liu_Xiaoqing Liu_Ye Lou_Ye Lucy_Liu Luo_Linquan Maggie_Cheung
Mahathir_Mohamad Makiko_Tanaka Masahiko_Nagasawa Masamori_Tokuyama Masaru_Hayami
Masatoshi_Koshiba Megawati_Sukarnoputri Michelle_Kwan Mitoji_Yabunaka Miyako_Miyazaki
Moon-So-ri Nan_Wang Naoto_Kan Nicholas_Tse Nobuyuki_Idei Nong_Duc_Manh Norodom_Chakrapong
Norodom_Sihanouk Paek_Nam_Sun Paradorn_Srichaphan Park_Jie-won Park_Jung_Sung Park_Na-kyong
Pham_Sy_Chien Pham_Thi_Mai_Phuong Phan_Van_Khai Princess_Masako Qian_Qichen
Ratna_Sari_Dewi_Sukarno Ren_Qingjin Rod_Jong-il Roh_Moo-hyun Saburo_Kawabuchi Sachiko_Yamada
Se_Hyuk_Joo Shigeru_Ishiba Shingo_Katayama Shingo_Suetsugu Shinya_Taniguchi Shinzo_Abe
Stanley_Ho Stanley_Tong Steve_Park Suh_Chung-won Suh_Young-hoon Suk_Chung_Hong Sun_Myung_Moon
Sung_Hong_Choi Surakait_Sathirathai Susilo_Bambang_Yudhoyono Szu_Yu_Chen Takahiro_Mori
Takashi_Sorimachi Takashi_Yamamoto Takenori_Kanzaki Takeshi_Kitano Taku_Yamasaki Takuma_Sato
Tang_Jiaxuan Taufik_Hidayat Taufik_Kiemas Teruaki_Masumoto Terunobu_Maeda Thaksin_Shinawatra
Tian_Liang Tian_Zhuang_Zhuang Tomoko_Hagiwara Tomomi_Morita Tono_Suratman Toshi_Izawa
Toshihiko_Fukui Toshimitsu_Motegi Tung_Chee-hwa Vicki_Zhao_Wei Wang_Fei Wang_Hailan Wang_Nan
Wang_Yi Wang_Yingfan Wei_Wu Wen_Ho_Lee Wen_Jiabao Win_Aung Wu_Peng Wu_Yi Xiang_Liu Xiang_Xu
Yang_Hee_Kim Yang_Jianli Yang_Pao-yu Yao_Ming Yasushi_Akashi Yasushi_Chimura Yingfan_Wang
Yishan_Zhang Yoko_Ono Yoo_Jay-Kun Yoon_Jeong_Cho Yoon_Jin-Sik Yoon_Won-Sik Yoon_Young-kwan
Yoriko_Kawaguchi Yoshiyuki_Kamei Yu_Shyi-kun Yukiko_Okudo Zaini_Abdullah Zeng_Qinghong
Zhang_Wenkang Zhang_Yimou Zhang_Ziyi Zhong_Nanshan Zhu_Rongji Ziwang_Xu
"""
)

WESTERN_GIVEN = set(
    _words(
        """
John George Michael David James Robert William Richard Thomas Charles Paul Mark Peter Steven
Stephen Andrew Brian Kevin Jeff Jeffrey Gary Tim Timothy Tom Bill Bob Jim Joe Mike Dick Ron
Ronald Donald Edward Frank Scott Eric Greg Gregory Matt Matthew Chris Christopher Daniel Dan
Anthony Tony Patrick Dennis Jack Larry Ken Kenneth Howard Harry Henry Jean Pierre Jacques
Francois Philippe Alain Michel Nicolas Hans Klaus Gerhard Wolfgang Helmut Juergen Joschka
Franz Giuseppe Silvio Romano Massimo Luca Marco Jan Pieter Wim Lars Anders Goran Mary Elizabeth
Susan Jennifer Linda Barbara Patricia Nancy Karen Sarah Laura Julie Anne Ann Catherine Kate
Nicole Jane Diane Michelle Rachel Emma Sandra Christine Carol Helen Sharon Donna Lisa Amy Angela
Hillary Laura Condoleezza Colin Tony Gordon Jacques Gerhard Vladimir Igor Serena Venus Martha
"""
    )
)


def main(names_file: str) -> None:
    counts = {}
    for line in Path(names_file).read_text().splitlines():
        if line.strip():
            name, count = line.split()
            counts[name] = int(count)
    missing = [name for name in ASIAN if name not in counts]
    if missing:
        raise SystemExit(f"not in {names_file}: {', '.join(missing)}")
    asian = sorted(set(ASIAN))
    pool = [n for n in counts if n.split("_")[0] in WESTERN_GIVEN and n not in set(asian)]
    random.Random(SEED).shuffle(pool)
    western = []
    for name in sorted(asian, key=lambda n: -counts[n]):
        best = min(pool, key=lambda n: abs(counts[n] - counts[name]))
        pool.remove(best)
        western.append(best)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "group", "images", "split"])
        for group, members in (("east_se_asian", asian), ("western", sorted(western))):
            for name in members:
                split = "reserved" if counts[name] >= RESERVED_FROM else "dev"
                writer.writerow([name, group, counts[name], split])
    print(f"wrote {OUT}: {len(asian)} + {len(western)} identities")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lfw-names.txt")
