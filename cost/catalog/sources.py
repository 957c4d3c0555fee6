"""Where the catalog's prices come from: AWS-published price files, as vendored in public
repositories. One entry per file (or per family of per-region files): the repository, the
commit that holds that version, its path, and the AWS address the file was loaded from.

`cost.refresh --from-dir DIR` reads each file as `DIR/<id>.json` (per-region families as
`DIR/<id>/<region>.json`); every product it writes names its source id, and the catalog's
INDEX.json records each source with the publication date read from the file itself.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_BASE = "https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/"


@dataclass(frozen=True)
class Source:
    repository: str
    commit: str
    path: str
    url: str
    #: "page": a pricing-page file with a manifest and per-location dimensions;
    #: "processed": the repository's own flattening of one ({dimension: {location: price}},
    #: no manifest; dated by the commit that fetched it).
    kind: str = "page"
    #: For "processed" files: the date of the commit that fetched the data.
    fetched: str = ""
    #: A family of per-region files: `path` and `url` hold "{region}" / "{location}".
    per_region: bool = False


SOURCES: dict[str, Source] = {
    "apigateway": Source(
        "v0rts/aws-price-watcher",
        "8ceef26a1ff384fa84bbf97c1210c2f206c8f13f",
        "raw/apigateway.json",
        PAGE_BASE + "apigateway/USD/current/apigateway.json",
    ),
    "certificatemanager": Source(
        "v0rts/aws-price-watcher",
        "bdf667bd5d62b8ea42e1fb5602dbbcfd45bd1abe",
        "raw/certificatemanager.json",
        PAGE_BASE + "certificatemanager/USD/current/certificatemanager.json",
    ),
    "cloudfront": Source(
        "v0rts/aws-price-watcher",
        "993ef3adc4a1e0ba5c8df0485ca41986f9109e26",
        "raw/cloudfront.json",
        PAGE_BASE + "cloudfront/USD/current/cloudfront.json",
    ),
    "cloudwatch": Source(
        "v0rts/aws-price-watcher",
        "ac88588f0ff677aaa8de30f301e537da29840180",
        "raw/cloudwatch.json",
        PAGE_BASE + "cloudwatch/USD/current/cloudwatch.json",
    ),
    "dynamodb": Source(
        "v0rts/aws-price-watcher",
        "120eb93b8cc5514c767b8be9ac91ad00e4a0ed0b",
        "raw/dynamodb.json",
        PAGE_BASE + "dynamodb/USD/current/dynamodb.json",
    ),
    "ebs": Source(
        "yeo/ec2.shop",
        "576c890f33ae177837e93499866aa04a0ac4fa89",
        "data/ebs/ebs.json",
        PAGE_BASE + "ec2/USD/current/ebs.json",
    ),
    "ecr": Source(
        "v0rts/aws-price-watcher",
        "a72b022a771073d4c8a746b8ccde9f4c28bb1502",
        "raw/ecr.json",
        PAGE_BASE + "ecr/USD/current/ecr.json",
    ),
    "ecs": Source(
        "v0rts/aws-price-watcher",
        "71200fd2b7aab4bc3b6d1cb55cb44ca5c8616cf6",
        "processed/ecs.json",
        PAGE_BASE + "ecs/USD/current/ecs.json",
        kind="processed",
        fetched="2025-10-27",
    ),
    "efs": Source(
        "v0rts/aws-price-watcher",
        "fe4f893c8a75ede6685197728021e178718730f0",
        "raw/efs.json",
        PAGE_BASE + "efs/USD/current/efs.json",
    ),
    "eks": Source(
        "v0rts/aws-price-watcher",
        "3de89ad583c8e285000df1544d3554508febf27b",
        "processed/eks.json",
        PAGE_BASE + "eks/USD/current/eks.json",
        kind="processed",
        fetched="2025-08-28",
    ),
    "elasticache": Source(
        "v0rts/aws-price-watcher",
        "f13d12cceebc018309f1463a3987ffc66a1ea196",
        "processed/elasticache.json",
        PAGE_BASE + "elasticache/USD/current/elasticache.json",
        kind="processed",
        fetched="2025-12-05",
    ),
    "elasticmapreduce": Source(
        "v0rts/aws-price-watcher",
        "8b864d1daaae13db411d854eea9b851d88ffff02",
        "processed/elasticmapreduce.json",
        PAGE_BASE + "elasticmapreduce/USD/current/elasticmapreduce.json",
        kind="processed",
        fetched="2025-11-15",
    ),
    "elb": Source(
        "v0rts/aws-price-watcher",
        "d48e959f055bba628d8de4b99aa51e86b6365b7f",
        "raw/elb.json",
        PAGE_BASE + "elb/USD/current/elb.json",
    ),
    "events": Source(
        "v0rts/aws-price-watcher",
        "401986444fb44f7d7259a0be5dc24785feb6c604",
        "raw/events.json",
        PAGE_BASE + "events/USD/current/events.json",
    ),
    "glue": Source(
        "v0rts/aws-price-watcher",
        "59ac2e02825fce2ea954df57a1a596208d2209e9",
        "raw/glue.json",
        PAGE_BASE + "glue/USD/current/glue.json",
    ),
    "kinesis": Source(
        "v0rts/aws-price-watcher",
        "3000b0a3142c94e90430b0c3efa1aa990340aa7f",
        "raw/kinesis.json",
        PAGE_BASE + "kinesis/USD/current/kinesis.json",
    ),
    "greengrass": Source(
        "v0rts/aws-price-watcher",
        "5a94bb2b30b8cbec5a9eadaf13f84d206f87866a",
        "raw/greengrass.json",
        PAGE_BASE + "greengrass/USD/current/greengrass.json",
    ),
    "iot": Source(
        "v0rts/aws-price-watcher",
        "5a94bb2b30b8cbec5a9eadaf13f84d206f87866a",
        "raw/iot.json",
        PAGE_BASE + "iot/USD/current/iot.json",
    ),
    "kms": Source(
        "v0rts/aws-price-watcher",
        "5a94bb2b30b8cbec5a9eadaf13f84d206f87866a",
        "raw/kms.json",
        PAGE_BASE + "kms/USD/current/kms.json",
    ),
    "lambda": Source(
        "v0rts/aws-price-watcher",
        "d6499ea2870ca566c457b22927325bb3e18d968c",
        "raw/lambda.json",
        PAGE_BASE + "lambda/USD/current/lambda.json",
    ),
    # AWS's file as the repository stores it, re-serialized (JSON.stringify: whitespace only);
    # the repository's lib/config/data-sources.ts names the AWS address. Unchanged at
    # 508fb45296c89efe38772babd7ec766644629267.
    "natgateway": Source(
        "lamngockhuong/aws-price",
        "ce57d15e54b2958ec3deae2248d47ed931143b58",
        "lib/data/pricing/natgateway.json",
        PAGE_BASE + "ec2/USD/current/natgateway.json",
    ),
    "networkfirewall": Source(
        "v0rts/aws-price-watcher",
        "83f189fdeaa2d540c4d67a5c0a54069b1aae990f",
        "raw/networkfirewall.json",
        PAGE_BASE + "networkfirewall/USD/current/networkfirewall.json",
    ),
    "rds-aurora-ondemand": Source(
        "v0rts/aws-price-watcher",
        "2fd4eb45d4a4e6e211922eba952613013b343f62",
        "processed/rds-aurora-ondemand.json",
        PAGE_BASE + "rds/USD/current/rds-aurora-ondemand.json",
        kind="processed",
        fetched="2025-11-18",
    ),
    # The repository's raw copy of this file carries one price (0.94) for every dimension in
    # us-east-1, a fetch defect; its flattened copy of the same data is consistent.
    "rds-aurora-storage": Source(
        "v0rts/aws-price-watcher",
        "3de89ad583c8e285000df1544d3554508febf27b",
        "processed/rds-aurora-storage.json",
        PAGE_BASE + "rds/USD/current/rds-aurora-storage.json",
        kind="processed",
        fetched="2025-08-28",
    ),
    "rds-mariadb-ondemand": Source(
        "yeo/ec2.shop",
        "44337592ba034dd0cdd1e71a1670b17f8c3f6002",
        "data/rds/rds-mariadb-ondemand.json",
        PAGE_BASE + "rds/USD/current/rds-mariadb-ondemand.json",
    ),
    "rds-mysql-ondemand": Source(
        "yeo/ec2.shop",
        "44337592ba034dd0cdd1e71a1670b17f8c3f6002",
        "data/rds/rds-mysql-ondemand.json",
        PAGE_BASE + "rds/USD/current/rds-mysql-ondemand.json",
    ),
    "rds-postgresql-ondemand": Source(
        "yeo/ec2.shop",
        "44337592ba034dd0cdd1e71a1670b17f8c3f6002",
        "data/rds/rds-postgresql-ondemand.json",
        PAGE_BASE + "rds/USD/current/rds-postgresql-ondemand.json",
    ),
    "rds-storage": Source(
        "v0rts/aws-price-watcher",
        "41e3f4575e20671b0f4fd04deddd8007a3fb187b",
        "raw/rds-storage.json",
        PAGE_BASE + "rds/USD/current/rds-storage.json",
    ),
    "queueservice": Source(
        "v0rts/aws-price-watcher",
        "0fe0fddee87687a45d964bcefec3f3a1b39ef8ab",
        "raw/queueservice.json",
        PAGE_BASE + "queueservice/USD/current/queueservice.json",
    ),
    "route53": Source(
        "v0rts/aws-price-watcher",
        "5cb24974512b964de43af5babf915341f525ae50",
        "raw/route53.json",
        PAGE_BASE + "route53/USD/current/route53.json",
    ),
    "s3": Source(
        "v0rts/aws-price-watcher",
        "d6499ea2870ca566c457b22927325bb3e18d968c",
        "raw/s3.json",
        PAGE_BASE + "s3/USD/current/s3.json",
    ),
    "s3glacierdeeparchive": Source(
        "v0rts/aws-price-watcher",
        "bdf667bd5d62b8ea42e1fb5602dbbcfd45bd1abe",
        "raw/s3glacierdeeparchive.json",
        PAGE_BASE + "s3glacierdeeparchive/USD/current/s3glacierdeeparchive.json",
    ),
    "sagemaker-instances-studionotebook": Source(
        "v0rts/aws-price-watcher",
        "e8ac1b84718a278babd063ebaf44f421994e5f38",
        "raw/sagemaker-instances-studionotebook.json",
        PAGE_BASE + "sagemaker/USD/current/sagemaker-instances-studionotebook.json",
    ),
    "secretsmanager": Source(
        "v0rts/aws-price-watcher",
        "bdf667bd5d62b8ea42e1fb5602dbbcfd45bd1abe",
        "raw/secretsmanager.json",
        PAGE_BASE + "secretsmanager/USD/current/secretsmanager.json",
    ),
    "sns": Source(
        "v0rts/aws-price-watcher",
        "bdf667bd5d62b8ea42e1fb5602dbbcfd45bd1abe",
        "raw/sns.json",
        PAGE_BASE + "sns/USD/current/sns.json",
    ),
    "states": Source(
        "v0rts/aws-price-watcher",
        "bdf667bd5d62b8ea42e1fb5602dbbcfd45bd1abe",
        "raw/states.json",
        PAGE_BASE + "states/USD/current/states.json",
    ),
    "transfer": Source(
        "v0rts/aws-price-watcher",
        "c6e161b1e682153a4741e88968bc3213ee69d8ef",
        "raw/transfer.json",
        PAGE_BASE + "transfer/USD/current/transfer.json",
    ),
    "vpc": Source(
        "v0rts/aws-price-watcher",
        "2b8a61f16c88b7ab6b0cad5cbc2d1789671a30c1",
        "raw/vpc.json",
        PAGE_BASE + "vpc/USD/current/vpc.json",
    ),
    "waf": Source(
        "v0rts/aws-price-watcher",
        "91cf8f2e0793653fc505569b91cb47acc3666fe4",
        "raw/waf.json",
        PAGE_BASE + "waf/USD/current/waf.json",
    ),
    "apprunner": Source(
        "v0rts/aws-price-watcher",
        "bdf667bd5d62b8ea42e1fb5602dbbcfd45bd1abe",
        "raw/apprunner.json",
        PAGE_BASE + "apprunner/USD/current/apprunner.json",
    ),
    "appsync": Source(
        "v0rts/aws-price-watcher",
        "bdf667bd5d62b8ea42e1fb5602dbbcfd45bd1abe",
        "raw/appsync.json",
        PAGE_BASE + "appsync/USD/current/appsync.json",
    ),
    "codepipeline": Source(
        "v0rts/aws-price-watcher",
        "120eb93b8cc5514c767b8be9ac91ad00e4a0ed0b",
        "raw/codepipeline.json",
        PAGE_BASE + "codepipeline/USD/current/codepipeline.json",
    ),
    "codecommit": Source(
        "lamngockhuong/aws-price",
        "115fdc61c7093bb5f36554ed99888860e14b0700",
        "lib/data/pricing/codecommit.json",
        PAGE_BASE + "codecommit/USD/current/codecommit.json",
    ),
    "cognito": Source(
        "v0rts/aws-price-watcher",
        "e1dcdcd5e56a704d9053bc7def4795316832c528",
        "raw/cognito.json",
        PAGE_BASE + "cognito/USD/current/cognito.json",
    ),
    "databasemigrationsvc": Source(
        "v0rts/aws-price-watcher",
        "3de89ad583c8e285000df1544d3554508febf27b",
        "processed/databasemigrationsvc.json",
        PAGE_BASE + "databasemigrationsvc/USD/current/databasemigrationsvc.json",
        kind="processed",
        fetched="2025-08-28",
    ),
    "directoryservice": Source(
        "v0rts/aws-price-watcher",
        "4e520c0d7fd3b0029c1ecce56e1a20c5e1150e0f",
        "processed/directoryservice.json",
        PAGE_BASE + "directoryservice/USD/current/directoryservice.json",
        kind="processed",
        fetched="2025-11-20",
    ),
    "docdb": Source(
        "v0rts/aws-price-watcher",
        "5f40457c647142d2c79048064a81a1092354f2e1",
        "processed/docdb.json",
        PAGE_BASE + "docdb/USD/current/docdb.json",
        kind="processed",
        fetched="2025-10-22",
    ),
    "kinesisfirehose": Source(
        "v0rts/aws-price-watcher",
        "5a94bb2b30b8cbec5a9eadaf13f84d206f87866a",
        "raw/kinesisfirehose.json",
        PAGE_BASE + "kinesisfirehose/USD/current/kinesisfirehose.json",
    ),
    "memorydb": Source(
        "v0rts/aws-price-watcher",
        "5cb24974512b964de43af5babf915341f525ae50",
        "processed/memorydb.json",
        PAGE_BASE + "memorydb/USD/current/memorydb.json",
        kind="processed",
        fetched="2025-09-16",
    ),
    "neptune": Source(
        "v0rts/aws-price-watcher",
        "165927cfe3cb1007a9617cd5ceb2f698da5ad75d",
        "processed/neptune.json",
        PAGE_BASE + "neptune/USD/current/neptune.json",
        kind="processed",
        fetched="2025-11-26",
    ),
    "athena": Source(
        "v0rts/aws-price-watcher",
        "165927cfe3cb1007a9617cd5ceb2f698da5ad75d",
        "raw/athena.json",
        PAGE_BASE + "athena/USD/current/athena.json",
    ),
    # The repository's raw copy of this file is absent from every stored commit; its
    # flattened copy of the same data is read instead.
    "backup": Source(
        "v0rts/aws-price-watcher",
        "54c8f1e8db2c5271249688d82c3bb8a9f750ae86",
        "processed/backup.json",
        PAGE_BASE + "backup/USD/current/backup.json",
        kind="processed",
        fetched="2025-11-10",
    ),
    "cloudtrail": Source(
        "v0rts/aws-price-watcher",
        "f0486b7e4e941521eb312ae2200680c16258d2f9",
        "raw/cloudtrail.json",
        PAGE_BASE + "cloudtrail/USD/current/cloudtrail.json",
    ),
    # The newest raw copies of this file are absent from the stored commits; this is the
    # newest commit whose copy is present (AWS's file published 2025-04-22).
    "codebuild": Source(
        "v0rts/aws-price-watcher",
        "fed5321e523b174ccd7853665680c5473ddd4463",
        "raw/codebuild.json",
        PAGE_BASE + "codebuild/USD/current/codebuild.json",
    ),
    "config": Source(
        "v0rts/aws-price-watcher",
        "84dae1653ef931c9f969c553d8a86f7556ba9515",
        "raw/config.json",
        PAGE_BASE + "config/USD/current/config.json",
    ),
    "guardduty": Source(
        "v0rts/aws-price-watcher",
        "f8ee47433d7d793b20f305d1fab056acc50efe9c",
        "raw/guardduty.json",
        PAGE_BASE + "guardduty/USD/current/guardduty.json",
    ),
    "securityhub": Source(
        "v0rts/aws-price-watcher",
        "bb2c218b2abff37cda81257e789bd7b63f6800d7",
        "raw/securityhub.json",
        PAGE_BASE + "securityhub/USD/current/securityhub.json",
    ),
    "ec2-ondemand": Source(
        "yeo/ec2.shop",
        "951cd0d425fd69949e3cec7db7e8238102e2a6f6",
        "data/ec2/{region}-ondemand.json",
        PAGE_BASE + "ec2/USD/current/ec2-ondemand-without-sec-sel/{location}/Linux/index.json",
        per_region=True,
    ),
    # The previous-generation instances (m1-m3, c1/c3, r3, t1, ...) AWS's EC2 page lists in
    # a file of their own; same commit as the current-generation files.
    "ec2-previousgen": Source(
        "yeo/ec2.shop",
        "951cd0d425fd69949e3cec7db7e8238102e2a6f6",
        "data/ec2/{region}-previousgen-ondemand.json",
        PAGE_BASE + "ec2/USD/current/previousgen-ondemand/{location}/Linux/index.json",
        per_region=True,
    ),
    # Data services (cost.pricing.warehouse): AWS's pricing-page files as v0rts vendors them.
    "redshift": Source(
        "v0rts/aws-price-watcher",
        "ef21811d2fac1b47997710d653b93e1d2b9c007a",
        "raw/redshift.json",
        PAGE_BASE + "redshift/USD/current/redshift.json",
    ),
    "msk": Source(
        "v0rts/aws-price-watcher",
        "391f4a460f89bc705ccc7945eecd4f60e2db971d",
        "raw/msk.json",
        PAGE_BASE + "msk/USD/current/msk.json",
    ),
    "mq": Source(
        "v0rts/aws-price-watcher",
        "56771de3aea8eda3d9c0dd6450ea51e2299dbc40",
        "raw/mq.json",
        PAGE_BASE + "mq/USD/current/mq.json",
    ),
    "dax": Source(
        "v0rts/aws-price-watcher",
        "120eb93b8cc5514c767b8be9ac91ad00e4a0ed0b",
        "raw/dax.json",
        PAGE_BASE + "dax/USD/current/dax.json",
    ),
    "mcs": Source(
        "v0rts/aws-price-watcher",
        "17c46a37b9020272955f74a9958b7417d89e116e",
        "raw/mcs.json",
        PAGE_BASE + "mcs/USD/current/mcs.json",
    ),
    # OpenSearch Service on-demand instances and EBS storage. The repository's newer versions of
    # this file (from 44337592, 2024-10-01) are absent from the snapshot; this is the newest one
    # present. v0rts/aws-price-watcher's raw/es.json is absent at every commit.
    "es-ondemand": Source(
        "yeo/ec2.shop",
        "dfecfb0aae8f25807f6c122c403abc4dd6f7a416",
        "data/es/es-ondemand.json",
        PAGE_BASE + "es/USD/current/es-ondemand.json",
    ),
}
